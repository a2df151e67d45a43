'use strict';

// Received events reach their listeners on a later tick, as in the reference, which
// queues one `process.nextTick` per event. Here the consecutive events of one batch from
// Rust that no application code runs between share one tick: every other tick keeps its
// place relative to each of them, and an event costs an array slot instead of a tick.

const { EventEmitter } = require('node:events');
const debug = require('./debug').logger('socket.io:socket');

let openGroup = null;

/** Hands a received event to the socket's listeners, unless it disconnected meanwhile. */
function emitEvent(socket, event) {
  if (socket.connected) EventEmitter.prototype.emit.apply(socket, event);
  else debug('ignore packet received after disconnection');
}

/** Emits `event` on `socket` from the next tick, in the open group if there is one. */
function emitSoon(socket, event) {
  if (openGroup === null) {
    openGroup = [];
    process.nextTick(emitGroup, openGroup);
  }
  openGroup.push(socket, event);
}

/**
 * Events deferred from now on get a tick of their own: application code is about to run,
 * and the ticks it queues must come before them.
 */
function closeGroup() {
  openGroup = null;
}

function emitGroup(group) {
  if (group === openGroup) openGroup = null;
  for (let i = 0; i < group.length; i += 2) {
    try {
      emitEvent(group[i], group[i + 1]);
    } catch (error) {
      // The events after a throwing listener still come, as their own ticks would have.
      if (i + 2 < group.length) process.nextTick(emitGroup, group.slice(i + 2));
      throw error;
    }
  }
}

module.exports = { emitEvent, emitSoon, closeGroup };
