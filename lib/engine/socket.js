'use strict';

const { EventEmitter } = require('node:events');
const { isBinary, toBuffer } = require('../buffers');

/**
 * One Engine.IO session as JS sees it (`socket.conn` in Socket.IO): the session itself
 * lives in Rust; this object mirrors its state and relays its events.
 */
class EngineSocket extends EventEmitter {
  constructor(engine, handle, sid, transportName, request) {
    super();
    this.server = engine;
    this.handle = handle;
    this.id = sid;
    this.protocol = 4;
    // For a handshake the Rust listener served: an `AcceptedRequest` (see there).
    this.request = request;
    this.remoteAddress = request?.socket?.remoteAddress;
    this.readyState = 'open';
    this.upgrading = false;
    this.upgraded = false;
    this._transportName = transportName;
    this._transport = undefined;
    // `packetCreate` is reported from JS, so JS must know whether anyone listens.
    this.on('newListener', countPacketCreateListener);
    this.on('removeListener', uncountPacketCreateListener);
  }

  /** `socket.transport`: its name and writability. */
  get transport() {
    return (this._transport ??= new TransportState(this.server, this.handle, this._transportName));
  }

  /** Sends a message (string or binary). */
  send(data) {
    if (this.readyState !== 'open') return this;
    const payload = isBinary(data) ? toBuffer(data) : String(data);
    this.server.native.send(this.handle, payload);
    this.server._queued();
    return this;
  }

  write(data) {
    return this.send(data);
  }

  /** Closes the session: queued packets are flushed first unless `discard` is set. */
  close(discard) {
    if (this.readyState !== 'open' && !(discard && this.readyState === 'closing')) return;
    this.readyState = 'closing';
    this.server.native.close(this.handle, Boolean(discard));
  }

  _onMessage(data) {
    this.emit('data', data);
    this.emit('message', data);
  }

  _onUpgrade() {
    this.upgraded = true;
    this._transportName = 'websocket';
    this._transport = undefined;
    this.emit('upgrade', this.transport);
  }

  _onClose(reason, description) {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.emit('close', reason, description);
  }
}

function countPacketCreateListener(event) {
  if (event === 'packetCreate') this.server._packetCreateListeners++;
}

function uncountPacketCreateListener(event) {
  if (event === 'packetCreate') this.server._packetCreateListeners--;
}

/** What the reference exposes as `socket.transport`: its name and writability. */
class TransportState {
  constructor(engine, handle, name) {
    this.name = name;
    this._engine = engine;
    this._handle = handle;
  }

  get writable() {
    return this._engine.native.isWritable(this._handle);
  }
}

module.exports = { EngineSocket };
