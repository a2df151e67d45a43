'use strict';

const { EventEmitter } = require('node:events');
const cookie = require('cookie');
const { NativeEngine, debugNamespaces } = require('../native');
const { EngineSocket } = require('./socket');
const { EventKind, forEachEvent, readDebugLine, readReason } = require('./events');
const { normalizeOptions, nativeOptions } = require('./options');
const { handlePolling, answerParked, writePolling, abortRequest } = require('./polling');
const { handleUpgrade, writeToBridge } = require('./upgrade');
const { attach, computePath } = require('./attach');
const { listenInRust } = require('./listener');
const { AcceptedRequest } = require('./accepted-request');
const { parseQuery } = require('./query');
const { errors, errorMessages } = require('./errors');
const { runMiddlewares } = require('../middleware');
const { closeGroup } = require('../deferred-events');
const { logger, enabledNamespaces } = require('../debug');

const debug = logger('engine');

/**
 * The Engine.IO server (`io.engine`): the sessions run in Rust; this object forwards
 * HTTP requests and upgrades to them and exposes the reference's API and events.
 */
class Engine extends EventEmitter {
  /**
   * `socketio`: `{ connectTimeout }` to serve Socket.IO; the server bound to this engine
   * (`_socketio`) then gets the Socket.IO events.
   */
  constructor(opts = {}, socketio) {
    super();
    this.opts = normalizeOptions(opts);
    this.clients = {};
    this.clientsCount = 0;
    this.middlewares = [];
    this._sockets = new Map();
    this._pendingRequests = new Map();
    this._parked = new Map();
    this._bridges = new Map();
    this._turnPending = false;
    this._flushPending = false;
    // Made once: `_queued` runs for every packet, and a closure made there would cost a
    // context per call.
    this._flushWrites = () => {
      this._flushPending = false;
      this.native.flushWrites();
    };
    this._endTurn = () => {
      this._turnPending = false;
      this.native.advanceTurn();
    };
    this._packetCreateListeners = 0;
    this._handOff = undefined;
    this._onHooksChanged = () => {};
    this._generateId = randomId;
    // The native side must not keep this object alive: a weak reference breaks the cycle
    // through the threadsafe function.
    const self = new WeakRef(this);
    // Acks wait here for the end of the current burst of callbacks and cross to Rust
    // together (see `native`), their attachments beside them.
    this._pendingAcks = [];
    this._pendingAttachments = [];
    this._native = new NativeEngine(
      // Rust's lines print or not for the engine's life: `DEBUG` is read once, here.
      { ...nativeOptions(this.opts), debug: enabledNamespaces(debugNamespaces()) },
      (batch) => self.deref()?._dispatch(batch),
      socketio ? { connectTimeout: socketio.connectTimeout } : undefined,
    );
    this._socketio = undefined;
    if (this.opts.cors) this.use(require('cors')(this.opts.cors));
  }

  /**
   * The Rust engine. Every use of it first sends the acks waiting in `_pendingAcks`, so that
   * they keep their place on the wire before whatever is sent next.
   */
  get native() {
    if (this._pendingAcks.length) this._flushAcks();
    return this._native;
  }

  /** Queues the ack `id` of socket `handle`: its JSON text and binary attachments. */
  _queueAck(handle, id, json, attachments) {
    if (!attachments?.length) {
      this._pendingAcks.push(handle, id, json);
    } else {
      // An ack with attachments says how many follow its handle (see `emitAcks`).
      this._pendingAcks.push(`${handle}:${attachments.length}`, id, json);
      for (const attachment of attachments) this._pendingAttachments.push(attachment);
    }
    this._queued();
  }

  _flushAcks() {
    const acks = this._pendingAcks;
    const attachments = this._pendingAttachments;
    this._pendingAcks = [];
    this._pendingAttachments = [];
    // One string, one conversion. JSON text never holds a raw NUL (JSON.stringify
    // escapes it), so NUL separates the fields (handle, id, JSON) of the acks.
    this._native.emitAcks(acks.join('\0'), attachments.length ? attachments : undefined);
  }

  /** Express-style middleware run on every engine request and upgrade. */
  use(fn) {
    this.middlewares.push(fn);
    this._onHooksChanged();
  }

  /** Session ids; replace with a function `(req) => string | Promise<string>` to choose them. */
  get generateId() {
    return this._generateId;
  }

  set generateId(fn) {
    this._generateId = fn;
    this._onHooksChanged();
  }

  /** Whether the app chooses session ids (assigned `generateId`, or a subclass's). */
  get _choosesIds() {
    return this.generateId !== randomId;
  }

  handleRequest(req, res) {
    debug('handling "%s" http request "%s"', req.method, req.url);
    prepare(req);
    this._applyMiddlewares(req, res, (err) => {
      if (err) return this._refuseRequest(req, res, 3, { name: 'MIDDLEWARE_FAILURE' });
      const verdict = this.native.verify(req.method, req.url, req.headers.origin ?? null, false);
      if (verdict.errorCode != null) return this._refuseRequest(req, res, verdict.errorCode);
      if (!verdict.handshake) return handlePolling(this, verdict.handle, req, res);
      this._admit(req, verdict, (code, context) => {
        if (code === errors.UNSUPPORTED_PROTOCOL_VERSION) debug('unsupported protocol version');
        if (code !== undefined) return this._refuseRequest(req, res, code, context);
        this._newSessionId(req, (error, id) => {
          if (error) {
            return this._refuseRequest(req, res, 3, { name: 'ID_GENERATION_ERROR', error });
          }
          const { handle, sid, payload } = this.native.handshakePolling(id);
          this._pendingRequests.set(handle, req);
          this._drain();
          writePolling(this, req, res, payload, sid);
        });
      });
    });
  }

  handleUpgrade(req, socket, head) {
    prepare(req);
    handleUpgrade(this, req, socket, head);
  }

  /** Hooks this engine into `server` like the reference's `attach`. */
  attach(server, options = {}) {
    attach(this, server, options);
  }

  /**
   * Listens on `port` in Rust, `server` (not listening itself) standing for it: see
   * `listener.js`.
   */
  listen(server, port, options = {}) {
    listenInRust(this, server, port, computePath(options));
  }

  /** Ends every session now. */
  close() {
    debug('closing all open clients');
    this.native.closeAll();
    this._drain();
    // Bridged sockets end once Rust has written what was queued and the close frame
    // (a bounded time), as adopted ones do.
    return this;
  }

  /**
   * The application queued packets (emits, acks, connect replies, disconnects). They are
   * written once the current burst of callbacks is over (a microtask), each session's
   * together, rather than per packet. And Rust treats those
   * sessions as busy for volatile packets until the turn of the event loop is over, like
   * the reference's transports until their write callback.
   */
  _queued() {
    if (!this._flushPending) {
      this._flushPending = true;
      queueMicrotask(this._flushWrites);
    }
    if (this._turnPending) return;
    this._turnPending = true;
    setImmediate(this._endTurn);
  }

  /** Handles the events queued so far now, rather than on the next wake-up. */
  _drain() {
    this._dispatch(this.native.takeEvents());
  }

  /** Runs `allowRequest`, then the protocol check, for a handshake. */
  _admit(req, verdict, done) {
    const checkProtocol = () =>
      verdict.protocolSupported ? done() : done(5, { protocol: 3 });
    if (!this.opts.allowRequest) return checkProtocol();
    this.opts.allowRequest(req, (message, success) => {
      if (!success) return done(4, { message });
      checkProtocol();
    });
  }

  _newSessionId(req, done) {
    const failed = (error) => {
      debug('error while generating an id');
      done(error);
    };
    let id;
    try {
      id = this.generateId(req);
    } catch (error) {
      return failed(error);
    }
    Promise.resolve(id).then(
      (value) => done(null, value == null ? null : String(value)),
      (error) => failed(error || new Error('generateId failed')),
    );
  }

  _applyMiddlewares(req, res, callback) {
    if (!this.middlewares.length) debug('no middleware to apply, skipping');
    runMiddlewares(this.middlewares, [req, res], callback);
  }

  /** Fires `initial_headers` (first request, with the session cookie) and `headers`. */
  _emitHeaders(headers, req, sid) {
    if (!req._query.sid) {
      if (this.opts.cookie && sid) {
        headers['Set-Cookie'] = [cookie.serialize(this.opts.cookie.name, sid, this.opts.cookie)];
      }
      this.emit('initial_headers', headers, req);
    }
    this.emit('headers', headers, req);
  }

  _connectionError(req, code, context) {
    this.emit('connection_error', { req, code, message: errorMessages[code], context });
  }

  _refuseRequest(req, res, code, context) {
    this._connectionError(req, code, context);
    abortRequest(res, code, context?.message || errorMessages[code]);
  }

  _dispatch(batch) {
    forEachEvent(batch, (kind, id, data, start, end) => {
      // Only received Socket.IO events may share a tick (see `deferred-events`); a debug
      // line runs no application code.
      if (kind !== EventKind.SOCKET_EVENT && kind !== EventKind.DEBUG) closeGroup();
      switch (kind) {
        case EventKind.DEBUG: {
          const [namespace, line] = readDebugLine(data, start, end);
          return logger(namespace)('%s', line);
        }
        case EventKind.OPEN:
          return this._onOpen(id, data[start] ? 'websocket' : 'polling', data.toString('latin1', start + 1, end));
        case EventKind.TEXT:
          return this._sockets.get(id)?._onMessage(data.toString('utf8', start, end));
        case EventKind.BINARY:
          return this._sockets.get(id)?._onMessage(Buffer.from(data.subarray(start, end)));
        case EventKind.UPGRADE:
          return this._sockets.get(id)?._onUpgrade();
        case EventKind.CLOSE:
          return this._onClose(id, ...readReason(data, start, end));
        case EventKind.DRAIN:
          return this._sockets.get(id)?.emit('drain');
        case EventKind.POLL_REPLY:
          return answerParked(this, id, data.toString('utf8', start, end));
        case EventKind.BRIDGE_DATA:
          return writeToBridge(this, id, Buffer.from(data.subarray(start, end)));
        case EventKind.BRIDGE_RESUME:
          return this._bridges.get(id)?.resume();
        case EventKind.BRIDGE_END:
          return this._endBridge(id);
        case EventKind.HAND_OFF:
          return this._handOff?.(id);
        case EventKind.ACCEPTED:
          return this._pendingRequests.set(id, new AcceptedRequest(data.toString('latin1', start, end)));
        case EventKind.ABANDONED:
          return this._pendingRequests.delete(id);
        default:
          return this._socketio?._onSocketEvent(kind, id, data, start, end);
      }
    });
    closeGroup();
  }

  _onOpen(handle, transport, sid) {
    const request = this._pendingRequests.get(handle);
    this._pendingRequests.delete(handle);
    const socket = new EngineSocket(this, handle, sid, transport, request);
    this._sockets.set(handle, socket);
    this.clients[sid] = socket;
    this.clientsCount++;
    this.emit('connection', socket);
    // Rust holds a WebSocket handshake until then, as the reference writes it in this tick.
    if (transport === 'websocket') this.native.announced(handle);
  }

  _onClose(handle, reason, description) {
    const socket = this._sockets.get(handle);
    if (!socket) return;
    this._sockets.delete(handle);
    delete this.clients[socket.id];
    this.clientsCount--;
    socket._onClose(reason, description);
  }

  _endBridge(id) {
    const socket = this._bridges.get(id);
    this._bridges.delete(id);
    socket?.destroySoon();
  }
}

Engine.errors = errors;
Engine.errorMessages = errorMessages;

/** The default `generateId`: no choice, Rust draws a random id. */
function randomId() {
  return undefined;
}

/** Parses the query once, keeping one set by a framework (`req._query`). */
function prepare(req) {
  if (!req._query) req._query = parseQuery(req.url);
}

module.exports = { Engine };
