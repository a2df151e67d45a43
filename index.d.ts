// Public types of sio-rs: the socket.io 4.8 server API, with typed events.
//
// Event maps: `ListenEvents` are the events a socket receives, `EmitEvents` those it
// sends, `ServerSideEvents` those exchanged between servers, `SocketData` the type of
// `socket.data`. An event whose last parameter is a function expects an acknowledgement.

import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

// ---------------------------------------------------------------- typed events

export interface EventsMap {
  [event: string]: any;
}

export interface DefaultEventsMap {
  [event: string]: (...args: any[]) => void;
}

export type EventNames<Map extends EventsMap> = keyof Map & (string | symbol);

export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Map[Ev] extends (
  ...args: infer P
) => any
  ? P
  : any[];

type Listener<Map extends EventsMap, Ev> = Ev extends EventNames<Map>
  ? Map[Ev] extends (...args: any[]) => any
    ? Map[Ev]
    : (...args: any[]) => void
  : (...args: any[]) => void;

type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L] ? L : never;
type AllButLast<T extends readonly unknown[]> = T extends readonly [...infer Head, unknown] ? Head : T;
type AckArgs<Params extends readonly unknown[]> = Last<Params> extends (...args: infer A) => any ? A : never;

/** The value a promise-based emit resolves with: the ack's first argument. */
type AckResult<Params extends readonly unknown[]> = AckArgs<Params> extends [infer First, ...unknown[]]
  ? First
  : void;

/** After `timeout()`, an ack callback gets an Error (or null) first. */
type WithTimeoutAck<F> = F extends (...args: infer P) => infer R
  ? Last<P> extends (...ack: infer A) => infer AR
    ? A extends [Error, ...unknown[]]
      ? F
      : (...args: [...AllButLast<P>, (err: Error | null, ...ack: A) => AR]) => R
    : F
  : F;

/** A broadcast's ack callback gets an array of every recipient's response. */
type WithMultipleAcks<F> = F extends (...args: infer P) => infer R
  ? Last<P> extends (...ack: infer A) => infer AR
    ? (...args: [...AllButLast<P>, (err: Error | null, responses: A[0][]) => AR]) => R
    : F
  : F;

export type DecorateAcknowledgements<E extends EventsMap> = { [K in keyof E]: WithTimeoutAck<E[K]> };
export type DecorateAcknowledgementsWithMultipleResponses<E extends EventsMap> = {
  [K in keyof E]: WithMultipleAcks<E[K]>;
};

/** Something that can emit typed events. */
export interface TypedEventBroadcaster<EmitEvents extends EventsMap> {
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
}

declare class TypedEmitter<ListenEvents extends EventsMap, EmitEvents extends EventsMap, Reserved extends EventsMap = {}> {
  on<Ev extends EventNames<Reserved> | EventNames<ListenEvents>>(
    ev: Ev,
    listener: Ev extends EventNames<Reserved> ? Listener<Reserved, Ev> : Listener<ListenEvents, Ev>,
  ): this;
  once<Ev extends EventNames<Reserved> | EventNames<ListenEvents>>(
    ev: Ev,
    listener: Ev extends EventNames<Reserved> ? Listener<Reserved, Ev> : Listener<ListenEvents, Ev>,
  ): this;
  off(ev: string | symbol, listener?: (...args: any[]) => void): this;
  addListener(ev: string | symbol, listener: (...args: any[]) => void): this;
  prependListener(ev: string | symbol, listener: (...args: any[]) => void): this;
  prependOnceListener(ev: string | symbol, listener: (...args: any[]) => void): this;
  removeListener(ev: string | symbol, listener: (...args: any[]) => void): this;
  removeAllListeners(ev?: string | symbol): this;
  listeners(ev: string | symbol): Function[];
  rawListeners(ev: string | symbol): Function[];
  listenerCount(ev: string | symbol): number;
  eventNames(): (string | symbol)[];
  setMaxListeners(n: number): this;
  getMaxListeners(): number;
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
}

// ---------------------------------------------------------------- options

export interface EngineOptions {
  pingTimeout?: number;
  pingInterval?: number;
  upgradeTimeout?: number;
  maxHttpBufferSize?: number;
  /**
   * sio-rs only. Bytes queued for one connection at which `socket.emit()` returns false
   * until the socket emits `drain` (default 1 MiB).
   */
  outboundHighWaterMark?: number;
  /**
   * sio-rs only. Bytes queued for one connection at which it is disconnected with
   * "transport error" (description: "outbound buffer full"), instead of the server
   * buffering without limit for a client that stopped reading (default 16 MiB).
   */
  maxOutboundBufferSize?: number;
  allowRequest?: (req: IncomingMessage, fn: (err: string | null | undefined, success: boolean) => void) => void;
  transports?: Array<'polling' | 'websocket'>;
  allowUpgrades?: boolean;
  httpCompression?: boolean | object;
  initialPacket?: string | Buffer;
  cookie?: boolean | ({ name?: string } & Record<string, unknown>);
  cors?: object | ((req: IncomingMessage, callback: (err: Error | null, options?: object) => void) => void);
}

export interface AttachOptions {
  path?: string;
  destroyUpgrade?: boolean;
  destroyUpgradeTimeout?: number;
  addTrailingSlash?: boolean;
}

export interface ServerOptions extends EngineOptions, AttachOptions {
  path: string;
  serveClient: boolean;
  connectTimeout: number;
  cleanupEmptyChildNamespaces: boolean;
}

export type DisconnectReason =
  | 'transport error'
  | 'transport close'
  | 'forced close'
  | 'ping timeout'
  | 'parse error'
  | 'server shutting down'
  | 'forced server close'
  | 'client namespace disconnect'
  | 'server namespace disconnect';

export type Room = string;
export type SocketId = string;

export interface ExtendedError extends Error {
  data?: any;
}

export interface Handshake {
  headers: IncomingHttpHeaders;
  time: string;
  address: string;
  xdomain: boolean;
  secure: boolean;
  issued: number;
  url: string;
  query: Record<string, string | string[] | undefined>;
  auth: { [key: string]: any };
}

export type Event = [string, ...any[]];

// ---------------------------------------------------------------- engine

export type EngineMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** One Engine.IO connection (`socket.conn`). */
export interface EngineSocket extends EventEmitter {
  readonly id: string;
  readonly protocol: number;
  request: IncomingMessage | null | undefined;
  readonly remoteAddress: string | undefined;
  readonly readyState: 'opening' | 'open' | 'closing' | 'closed';
  readonly upgraded: boolean;
  readonly transport: { readonly name: 'polling' | 'websocket'; readonly writable: boolean };
  send(data: string | Buffer | ArrayBuffer | ArrayBufferView): this;
  write(data: string | Buffer | ArrayBuffer | ArrayBufferView): this;
  close(discard?: boolean): void;
}

/** The Engine.IO server (`io.engine`). */
export interface Engine extends EventEmitter {
  readonly opts: EngineOptions;
  readonly clients: Record<string, EngineSocket>;
  readonly clientsCount: number;
  use(fn: EngineMiddleware): void;
  generateId(req: IncomingMessage): string | PromiseLike<string> | undefined;
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  attach(server: HttpServer, options?: AttachOptions): void;
  close(): this;
}

// ---------------------------------------------------------------- classes

interface NamespaceReservedEvents<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> {
  connect: (socket: Socket<L, E, S, D>) => void;
  connection: (socket: Socket<L, E, S, D>) => void;
}

interface ServerReservedEvents<L extends EventsMap, E extends EventsMap, S extends EventsMap, D>
  extends NamespaceReservedEvents<L, E, S, D> {
  new_namespace: (namespace: Namespace<L, E, S, D>) => void;
}

interface SocketReservedEvents {
  disconnect: (reason: DisconnectReason, description?: any) => void;
  disconnecting: (reason: DisconnectReason, description?: any) => void;
  error: (err: Error) => void;
  /** sio-rs only: the connection's queue is below the high-water mark again. */
  drain: () => void;
}

/** An immutable broadcast target (`io.to(room)`, `socket.broadcast`, ...). */
export declare class BroadcastOperator<EmitEvents extends EventsMap, SocketData>
  implements TypedEventBroadcaster<EmitEvents>
{
  to(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData>;
  in(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData>;
  except(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData>;
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData>;
  get volatile(): BroadcastOperator<EmitEvents, SocketData>;
  get local(): BroadcastOperator<EmitEvents, SocketData>;
  timeout(timeout: number): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
  emitWithAck<Ev extends EventNames<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<AckArgs<EventParams<EmitEvents, Ev>> extends [any, infer R] ? R : any>;
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]>;
  socketsJoin(room: Room | Room[]): void;
  socketsLeave(room: Room | Room[]): void;
  disconnectSockets(close?: boolean): void;
}

/** A socket as `fetchSockets()` returns it. */
export interface RemoteSocket<EmitEvents extends EventsMap, SocketData> {
  readonly id: SocketId;
  readonly handshake: Handshake;
  readonly rooms: Set<Room>;
  readonly data: SocketData;
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
  join(room: Room | Room[]): void;
  leave(room: Room): void;
  disconnect(close?: boolean): this;
}

export declare class Socket<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
> extends TypedEmitter<ListenEvents, EmitEvents, SocketReservedEvents> {
  readonly id: SocketId;
  readonly handshake: Handshake;
  readonly nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  readonly client: { readonly conn: EngineSocket; readonly request: IncomingMessage };
  readonly conn: EngineSocket;
  readonly request: IncomingMessage;
  readonly rooms: Set<Room>;
  readonly recovered: boolean;
  connected: boolean;
  readonly disconnected: boolean;
  data: SocketData;

  emitWithAck<Ev extends EventNames<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<AckResult<EventParams<EmitEvents, Ev>>>;
  send(...args: EventParams<EmitEvents, 'message'>): this;
  write(...args: EventParams<EmitEvents, 'message'>): this;
  timeout(timeout: number): Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>, ServerSideEvents, SocketData>;
  get volatile(): this;
  compress(compress: boolean): this;
  get broadcast(): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  get local(): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  to(room: Room | Room[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  in(room: Room | Room[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  except(room: Room | Room[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  join(rooms: Room | Room[]): Promise<void> | void;
  leave(room: Room): Promise<void> | void;
  disconnect(close?: boolean): this;
  use(fn: (event: Event, next: (err?: Error) => void) => void): this;
  onAny(listener: (event: string, ...args: any[]) => void): this;
  prependAny(listener: (event: string, ...args: any[]) => void): this;
  offAny(listener?: (event: string, ...args: any[]) => void): this;
  listenersAny(): ((event: string, ...args: any[]) => void)[];
  onAnyOutgoing(listener: (event: string, ...args: any[]) => void): this;
  prependAnyOutgoing(listener: (event: string, ...args: any[]) => void): this;
  offAnyOutgoing(listener?: (event: string, ...args: any[]) => void): this;
  listenersAnyOutgoing(): ((event: string, ...args: any[]) => void)[];
}

export declare class Namespace<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
> extends TypedEmitter<
  ServerSideEvents,
  EmitEvents,
  NamespaceReservedEvents<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
> {
  readonly name: string;
  readonly sockets: Map<SocketId, Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>;
  readonly adapter: {
    readonly rooms: Map<Room, Set<SocketId>>;
    readonly sids: Map<SocketId, Set<Room>>;
  };
  readonly server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  use(
    fn: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, next: (err?: ExtendedError) => void) => void,
  ): this;
}

export declare class Server<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
> extends TypedEmitter<
  ServerSideEvents,
  EmitEvents,
  ServerReservedEvents<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
> {
  constructor(opts?: Partial<ServerOptions>);
  constructor(srv?: HttpServer | number, opts?: Partial<ServerOptions>);
  readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  engine: Engine;
  httpServer: HttpServer;
  serveClient(): boolean;
  serveClient(v: boolean): this;
  path(): string;
  path(v: string): this;
  connectTimeout(): number;
  connectTimeout(v: number): this;
  attach(srv: HttpServer | number, opts?: Partial<ServerOptions>): this;
  listen(srv: HttpServer | number, opts?: Partial<ServerOptions>): this;
  of(
    name: string | RegExp | ((name: string, auth: { [key: string]: any }, next: (err: Error | null, success: boolean) => void) => void),
    fn?: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void,
  ): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  close(fn?: (err?: Error) => void): Promise<void>;
  use(
    fn: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, next: (err?: ExtendedError) => void) => void,
  ): this;
}

/** What a namespace (and the server, for its main namespace) offers for broadcasting. */
interface BroadcastingMethods<EmitEvents extends EventsMap, ServerSideEvents extends EventsMap, SocketData> {
  to(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData>;
  in(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData>;
  except(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData>;
  send(...args: EventParams<EmitEvents, 'message'>): this;
  write(...args: EventParams<EmitEvents, 'message'>): this;
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(ev: Ev, ...args: EventParams<ServerSideEvents, Ev>): boolean;
  serverSideEmitWithAck<Ev extends EventNames<ServerSideEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<ServerSideEvents, Ev>>
  ): Promise<AckResult<EventParams<ServerSideEvents, Ev>>[]>;
  allSockets(): Promise<Set<SocketId>>;
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData>;
  get volatile(): BroadcastOperator<EmitEvents, SocketData>;
  get local(): BroadcastOperator<EmitEvents, SocketData>;
  timeout(timeout: number): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]>;
  socketsJoin(room: Room | Room[]): void;
  socketsLeave(room: Room | Room[]): void;
  disconnectSockets(close?: boolean): void;
}

export interface Namespace<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
> extends BroadcastingMethods<EmitEvents, ServerSideEvents, SocketData> {}

export interface Server<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
> extends BroadcastingMethods<EmitEvents, ServerSideEvents, SocketData> {}
