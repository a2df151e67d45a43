'use strict';

const v8 = require('node:v8');

/** The process's RSS less the pages V8's heap occupies: native memory, Rust's included. */
function nativeRss() {
  const heapPages = v8.getHeapSpaceStatistics().reduce((sum, space) => sum + space.physical_space_size, 0);
  return process.memoryUsage().rss - heapPages;
}

/**
 * The process's RSS with V8's heap counted at what it holds: after a collection V8 keeps
 * the pages it grew into (its young generation alone reaches tens of MiB under load),
 * which says how busy the process was, not what it retains. Live JS objects and all
 * native memory count in full.
 */
function retainedRss() {
  return nativeRss() + v8.getHeapStatistics().used_heap_size;
}

module.exports = { nativeRss, retainedRss };
