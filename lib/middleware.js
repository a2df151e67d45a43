'use strict';

/**
 * Runs `fns` one after the other, each as `fn(...args, next)`; `done(err)` after the
 * last one, or at the first that passes an error to `next`.
 */
function runMiddlewares(fns, args, done) {
  if (!fns.length) return done();
  const list = fns.slice();
  const step = (i) => {
    list[i](...args, (err) => {
      if (err) return done(err);
      if (i + 1 < list.length) step(i + 1);
      else done();
    });
  };
  step(0);
}

module.exports = { runMiddlewares };
