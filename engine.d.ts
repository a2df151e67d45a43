// Public types of `sio-rs/engine`: the Engine.IO layer on its own, shaped like the
// `engine.io` package (`Server`, `Socket`, `attach`, `listen`, `protocol`). The sessions
// run in the Rust engine; these are the parts of engine.io's API that lib/engine offers.

import { EventEmitter } from 'node:events';
import type { IncomingMessage, OutgoingHttpHeaders, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ZlibOptions } from 'node:zlib';

// ---------------------------------------------------------------- options

/** A transport a session may use. WebTransport is not offered. */
export type TransportName = 'polling' | 'websocket';

/** The attributes of the session cookie (those of the `cookie` package's `serialize`). */
export interface CookieOptions {
  /** The cookie's name (default `"io"`). */
  name?: string;
  domain?: string;
  encode?: (value: string) => string;
  expires?: Date;
  httpOnly?: boolean;
  maxAge?: number;
  partitioned?: boolean;
  path?: string;
  priority?: 'low' | 'medium' | 'high';
  sameSite?: boolean | 'lax' | 'strict' | 'none';
  secure?: boolean;
}

/** An allowed origin as the `cors` package understands it. */
export type CorsOrigin = boolean | string | RegExp | Array<boolean | string | RegExp>;

/** The options of the `cors` package, which answers the engine's CORS requests. */
export interface CorsOptions {
  origin?:
    | CorsOrigin
    | ((requestOrigin: string | undefined, callback: (err: Error | null, origin?: CorsOrigin) => void) => void);
  methods?: string | string[];
  allowedHeaders?: string | string[];
  exposedHeaders?: string | string[];
  credentials?: boolean;
  maxAge?: number;
  preflightContinue?: boolean;
  optionsSuccessStatus?: number;
}

/** `cors` options chosen per request. */
export type CorsOptionsDelegate = (
  req: IncomingMessage,
  callback: (err: Error | null, options?: CorsOptions) => void,
) => void;

/** Options of the Engine.IO server. */
export interface ServerOptions {
  /**
   * How long, in ms, the server waits for a pong after a ping before it closes the
   * session with "ping timeout".
   * @default 20000
   */
  pingTimeout?: number;
  /**
   * How often, in ms, the server pings each session.
   * @default 25000
   */
  pingInterval?: number;
  /**
   * How long, in ms, an upgrade from polling to WebSocket may take before it is given up.
   * @default 10000
   */
  upgradeTimeout?: number;
  /**
   * The largest message, in bytes, a client may send; a larger one closes its session.
   * @default 1e6
   */
  maxHttpBufferSize?: number;
  /**
   * sio-rs only. Bytes queued for one connection at which `socket.emit()` returns false
   * until the socket emits `drain`.
   * @default 1048576 (1 MiB)
   */
  outboundHighWaterMark?: number;
  /**
   * sio-rs only. Bytes queued for one connection at which it is disconnected with
   * "transport error" (description: "outbound buffer full"), instead of the server
   * buffering without limit for a client that stopped reading.
   * @default 16777216 (16 MiB)
   */
  maxOutboundBufferSize?: number;
  /**
   * Decides whether a handshake or upgrade request goes ahead: call `fn(null, true)` to
   * let it in, `fn("reason", false)` to answer 403 with that message.
   *
   * @example
   * allowRequest: (req, fn) => fn(null, req.headers.origin === "https://example.com")
   */
  allowRequest?: (req: IncomingMessage, fn: (err: string | null | undefined, success: boolean) => void) => void;
  /**
   * The transports clients may connect with, in order of preference.
   * @default ["polling", "websocket"]
   */
  transports?: TransportName[];
  /**
   * Whether a polling session may upgrade to WebSocket.
   * @default true
   */
  allowUpgrades?: boolean;
  /**
   * WebSocket compression. Not offered by sio-rs: only `false` is accepted (a truthy
   * value makes the constructor throw).
   */
  perMessageDeflate?: false;
  /**
   * Compression of polling responses (`false` to turn it off). `threshold` is the size in
   * bytes from which a response is compressed; zlib options other than `level` make Node
   * rather than Rust compress.
   * @default { threshold: 1024 }
   */
  httpCompression?: boolean | ({ threshold?: number } & ZlibOptions);
  /**
   * A message sent to every client right after its handshake: a string or a Buffer
   * (anything else is sent as `String(value)`).
   */
  initialPacket?: unknown;
  /**
   * Sets a cookie with the session id on the handshake response: `true` for the
   * defaults (`io`, path `/`, `HttpOnly`, `SameSite=Lax`), or the cookie's attributes.
   * @default false
   */
  cookie?: boolean | CookieOptions;
  /** CORS for the engine's requests, handled by the `cors` package. */
  cors?: CorsOptions | CorsOptionsDelegate;
  /**
   * Engine.IO v3 (Socket.IO v2) clients. Not supported by sio-rs: only `false` is
   * accepted.
   */
  allowEIO3?: false;
}

/** Options of `attach()`: where the engine answers on the HTTP server. */
export interface AttachOptions {
  /**
   * The path the engine answers on (a prefix match).
   * @default "/engine.io"
   */
  path?: string;
  /**
   * Whether upgrade requests to other paths are ended (after `destroyUpgradeTimeout`)
   * when nothing else answered them.
   * @default true
   */
  destroyUpgrade?: boolean;
  /**
   * How long, in ms, a foreign upgrade request is left for other listeners.
   * @default 1000
   */
  destroyUpgradeTimeout?: number;
  /**
   * Whether a trailing slash is added to `path` (`/engine.io/`).
   * @default true
   */
  addTrailingSlash?: boolean;
}

/** An Express-style middleware, run on every engine request and upgrade. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: any) => void) => void;

// ---------------------------------------------------------------- errors

/** The error codes of refused requests (`Server.errors`). */
export interface ErrorCodes {
  readonly UNKNOWN_TRANSPORT: 0;
  readonly UNKNOWN_SID: 1;
  readonly BAD_HANDSHAKE_METHOD: 2;
  readonly BAD_REQUEST: 3;
  readonly FORBIDDEN: 4;
  readonly UNSUPPORTED_PROTOCOL_VERSION: 5;
}

/** The message of each error code (`Server.errorMessages`). */
export interface ErrorMessages {
  readonly 0: 'Transport unknown';
  readonly 1: 'Session ID unknown';
  readonly 2: 'Bad handshake method';
  readonly 3: 'Bad request';
  readonly 4: 'Forbidden';
  readonly 5: 'Unsupported protocol version';
}

/** What the `connection_error` event carries about a refused request. */
export interface ConnectionError {
  /** The refused request. */
  req: IncomingMessage;
  /** One of `Server.errors`. */
  code: ErrorCodes[keyof ErrorCodes];
  /** The code's message (`Server.errorMessages`). */
  message: string;
  /** Details, such as `{ name: "MIDDLEWARE_FAILURE" }` or the `allowRequest` message. */
  context?: Record<string, unknown> & { name?: string; message?: string };
}

// ---------------------------------------------------------------- socket

/** A session's current transport (`socket.transport`). */
export interface Transport {
  /**
   * `"polling"`, or `"websocket"` once upgraded (or connected directly). Typed `string`
   * as in engine.io, which has other transports.
   */
  readonly name: string;
  /** Whether the transport can take a packet right now. */
  readonly writable: boolean;
}

/** A packet about to be written, as the `packetCreate` event reports it. */
export interface Packet {
  type: 'open' | 'close' | 'ping' | 'pong' | 'message' | 'upgrade' | 'noop' | 'error';
  data?: string | Buffer;
  options?: { compress?: boolean };
}

/** What a session carries: text, or binary data. */
export type RawData = string | Buffer | ArrayBuffer | ArrayBufferView;

/**
 * One Engine.IO session (in Socket.IO, `socket.conn`). The session itself lives in the
 * Rust engine; this object mirrors its state and relays its events.
 *
 * @example
 * engine.on("connection", (socket) => {
 *   socket.on("message", (data) => socket.send(data));
 *   socket.on("close", (reason) => console.log(`${socket.id} closed: ${reason}`));
 * });
 */
export declare class Socket extends EventEmitter {
  /** The session id (the `sid` query parameter of the client's requests). */
  readonly id: string;
  /** The Engine.IO protocol revision of the session: always 4. */
  readonly protocol: number;
  /**
   * The request that opened the session. For a WebSocket handshake served by the Rust
   * listener, a stand-in with the request's `headers`, `url`, `method` and `socket`
   * addresses (Socket.IO's `socket.request` gives the full `IncomingMessage`).
   */
  request: IncomingMessage;
  /** The client's IP address. */
  readonly remoteAddress: string;
  /** The session's state. */
  readyState: 'opening' | 'open' | 'closing' | 'closed';
  /** Whether an upgrade to WebSocket is under way. */
  upgrading: boolean;
  /** Whether the session has upgraded from polling to WebSocket. */
  upgraded: boolean;
  /** The current transport. */
  readonly transport: Transport;

  /**
   * Sends a message to the client.
   *
   * @example
   * socket.send("hello");
   * socket.send(Buffer.from([1, 2, 3]));
   *
   * @param data - a string, or binary data
   * @return self
   */
  send(data: RawData): this;
  /** Sends a message to the client. Alias of {@link send}. */
  write(data: RawData): this;
  /**
   * Closes the session. Queued packets are written first, unless `discard` is set.
   *
   * @param discard - drop what is still queued
   */
  close(discard?: boolean): void;

  /** The session closed: `reason` such as "transport close", "ping timeout", "forced close". */
  on(event: 'close', listener: (reason: string, description?: unknown) => void): this;
  /** A message from the client. */
  on(event: 'message' | 'data', listener: (data: string | Buffer) => void): this;
  /** The session upgraded to WebSocket. */
  on(event: 'upgrade', listener: (transport: Transport) => void): this;
  /** What was queued for the client has been taken. */
  on(event: 'drain', listener: () => void): this;
  /** A packet is about to be written (only Socket.IO event packets are reported). */
  on(event: 'packetCreate', listener: (packet: Packet) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: 'close', listener: (reason: string, description?: unknown) => void): this;
  once(event: 'message' | 'data', listener: (data: string | Buffer) => void): this;
  once(event: 'upgrade', listener: (transport: Transport) => void): this;
  once(event: 'drain', listener: () => void): this;
  once(event: 'packetCreate', listener: (packet: Packet) => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}

// ---------------------------------------------------------------- server

/**
 * The Engine.IO server (in Socket.IO, `io.engine`). Sessions are served by the Rust
 * engine; this object takes the HTTP requests and upgrades of its path and emits the
 * engine.io events.
 *
 * @example
 * import { createServer } from "node:http";
 * import { Server } from "sio-rs/engine";
 *
 * const httpServer = createServer();
 * const engine = new Server({ pingInterval: 10000 });
 * engine.attach(httpServer);
 * engine.on("connection", (socket) => socket.send("welcome"));
 * httpServer.listen(3000);
 */
export declare class Server extends EventEmitter {
  /** The error codes of refused requests. */
  static readonly errors: ErrorCodes;
  /** The message of each error code. */
  static readonly errorMessages: ErrorMessages;

  /**
   * @param opts - the engine's options
   * @throws when an option sio-rs does not support is set (`allowEIO3`, `perMessageDeflate`,
   * `wsEngine`, an unknown transport)
   */
  constructor(opts?: ServerOptions);

  /** The options in effect, defaults filled in. */
  opts: ServerOptions;
  /** The open sessions, by id. */
  readonly clients: Record<string, Socket>;
  /** How many sessions are open. */
  readonly clientsCount: number;
  /** The HTTP server `listen()` created. */
  httpServer?: HttpServer;

  /**
   * Adds a middleware, run on every request and upgrade before the engine handles it.
   *
   * @example
   * engine.use((req, res, next) => {
   *   if (!req.headers.authorization) return next(new Error("unauthorized"));
   *   next();
   * });
   */
  use(fn: Middleware): void;
  /**
   * Chooses the id of a new session. Replace it to pick ids yourself (a string, or a
   * promise of one); by default (it returns nothing) the Rust engine draws a random id.
   *
   * @example
   * engine.generateId = (req) => crypto.randomUUID();
   */
  generateId(req: IncomingMessage): string | PromiseLike<string> | undefined;
  /** Handles an HTTP request to the engine's path (polling, handshake). */
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  /** Handles an upgrade request to the engine's path (WebSocket). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Takes over the requests and upgrades of `server` under the engine's path; the
   * server's other requests go to the listeners it had.
   */
  attach(server: HttpServer, options?: AttachOptions): void;
  /** Closes every session now. */
  close(): this;

  /** A session opened. */
  on(event: 'connection', listener: (socket: Socket) => void): this;
  /** A request was refused (bad request, unknown session, forbidden...). */
  on(event: 'connection_error', listener: (err: ConnectionError) => void): this;
  /**
   * The headers of a session's first response are being written: add headers here
   * (such as cookies).
   */
  on(event: 'initial_headers', listener: (headers: OutgoingHttpHeaders, req: IncomingMessage) => void): this;
  /** The headers of any engine response are being written. */
  on(event: 'headers', listener: (headers: OutgoingHttpHeaders, req: IncomingMessage) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: 'connection', listener: (socket: Socket) => void): this;
  once(event: 'connection_error', listener: (err: ConnectionError) => void): this;
  once(event: 'initial_headers', listener: (headers: OutgoingHttpHeaders, req: IncomingMessage) => void): this;
  once(event: 'headers', listener: (headers: OutgoingHttpHeaders, req: IncomingMessage) => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}

/**
 * Creates an engine and attaches it to `server`.
 *
 * @example
 * const engine = attach(httpServer, { path: "/realtime" });
 */
export declare function attach(server: HttpServer, options?: AttachOptions & ServerOptions): Server;

/**
 * Creates an HTTP server listening on `port` (answering 501 outside the engine's path)
 * with an engine attached; the server is the engine's `httpServer`.
 *
 * @example
 * const engine = listen(3000, { pingInterval: 10000 }, () => console.log("listening"));
 */
export declare function listen(port: number, options?: AttachOptions & ServerOptions, listenCallback?: () => void): Server;
export declare function listen(port: number, listenCallback: () => void): Server;

/** The Engine.IO protocol revision served. */
export declare const protocol: 4;
