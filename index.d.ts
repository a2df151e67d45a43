// Public types of sio-rs: the socket.io 4.8 server API, with typed events.
//
// Event maps: `ListenEvents` are the events a socket receives, `EmitEvents` those it
// sends, `ServerSideEvents` those exchanged between servers, `SocketData` the type of
// `socket.data`. An event whose last parameter is a function expects an acknowledgement.
//
// The generics below give the same results as socket.io's own typings (lib/typed-events.ts
// there), so that an app typed against socket.io compiles unchanged.

import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import type { ParsedUrlQuery } from 'node:querystring';
import type {
  AttachOptions,
  Middleware as EngineMiddleware,
  Server as Engine,
  ServerOptions as EngineOptions,
  Socket as EngineSocket,
} from './engine';

// ---------------------------------------------------------------- typed events

/**
 * An event map: event names to the type of their listener. A listener whose last
 * parameter is a function takes an acknowledgement callback.
 *
 * @example
 * interface ServerToClientEvents {
 *   news: (headline: string) => void;
 *   ask: (question: string, answer: (reply: number) => void) => void;
 * }
 */
export interface EventsMap {
  [event: string]: any;
}

/** The event map used when none is given: any event name, with any arguments. */
export interface DefaultEventsMap {
  [event: string]: (...args: any[]) => void;
}

/** The names of the events of a map. */
export type EventNames<Map extends EventsMap> = keyof Map & (string | symbol);

/** The parameters of an event's listener, as a tuple. */
export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Parameters<Map[Ev]>;

/** `true` when `T` is `any`. */
type IsAny<T> = 0 extends 1 & T ? true : false;

/** `Then` when `T` is `any`, `Else` otherwise. */
type IfAny<T, Then, Else> = IsAny<T> extends true ? Then : Else;

/** The type of the last element of a tuple (of the elements, for an array). */
export type Last<T extends readonly unknown[]> = T extends readonly [infer Only]
  ? Only
  : T extends readonly [unknown, ...infer Rest]
    ? Last<Rest>
    : T extends ReadonlyArray<infer Element>
      ? Element
      : never;

/** A tuple without its last element (`any[]` for an array). */
export type AllButLast<T extends any[]> = T extends [...infer Head, unknown] ? Head : any[];

/** The parameters of `F` when it is a function, `never` otherwise. */
type ParamsOf<F> = F extends (...args: infer P) => any ? P : never;

/** The first element of a tuple that is not the Error: the second when the first is one. */
export type FirstNonErrorTuple<T extends unknown[]> = T[0] extends Error ? T[1] : T[0];

/** What a promise-based emit resolves with: the ack's first argument after the Error, if any. */
export type FirstNonErrorArg<Ack> = Ack extends (...args: infer P) => any ? FirstNonErrorTuple<P> : any;

/** The events of a map that take an acknowledgement (the last parameter is a function). */
export type EventNamesWithAck<Map extends EventsMap, K extends EventNames<Map> = EventNames<Map>> = IfAny<
  Last<Parameters<Map[K]>> | Map[K],
  K,
  K extends (
    Parameters<Map[K]> extends never[] ? never : Last<Parameters<Map[K]>> extends (...args: any[]) => any ? K : never
  )
    ? K
    : never
>;

/** The events of a map that take no acknowledgement (no parameter, or the last one is not a function). */
export type EventNamesWithoutAck<Map extends EventsMap, K extends EventNames<Map> = EventNames<Map>> = IfAny<
  Last<Parameters<Map[K]>> | Map[K],
  K,
  K extends (Parameters<Map[K]> extends never[] ? K : never)
    ? K
    : K extends (Last<Parameters<Map[K]>> extends (...args: any[]) => any ? never : K)
      ? K
      : never
>;

/** The events of a map whose acknowledgement gets an Error first (as after `timeout()`). */
export type EventNamesWithError<Map extends EventsMap, K extends EventNamesWithAck<Map> = EventNamesWithAck<Map>> = IfAny<
  Last<Parameters<Map[K]>> | Map[K],
  K,
  K extends (ParamsOf<Last<Parameters<Map[K]>>>[0] extends Error ? K : never) ? K : never
>;

/** The map without its events that take an acknowledgement. */
export type RemoveAcknowledgements<E extends EventsMap> = {
  [K in EventNamesWithoutAck<E>]: E[K];
};

/** Each callback parameter gets an `Error` first (unless it already does). */
type WithTimeoutError<Params extends any[]> = {
  [K in keyof Params]: Params[K] extends (...args: infer A) => infer R
    ? A[0] extends Error
      ? Params[K]
      : (err: Error, ...args: A) => R
    : Params[K];
};

/** Each element of a tuple becomes an array of it. */
export type MultiplyArray<T extends unknown[]> = {
  [K in keyof T]: T[K][];
};

/** The first element of a tuple, as a one-element tuple keeping its label. */
type FirstKeepingLabel<T extends any[]> = T extends [any, ...infer Rest]
  ? T extends [...infer First, ...Rest]
    ? First
    : never
  : never;

/**
 * Each callback parameter gets one response per recipient: its first argument (after the
 * Error, if any) becomes an array, the others are dropped.
 */
type WithMultipleResponses<Params extends any[]> = {
  [K in keyof Params]: Params[K] extends (...args: infer A) => infer R
    ? A extends [Error]
      ? (err: Error) => R
      : A extends [Error, ...infer Rest]
        ? (err: Error, ...args: FirstKeepingLabel<MultiplyArray<Rest>>) => R
        : A extends []
          ? () => R
          : (...args: FirstKeepingLabel<MultiplyArray<A>>) => R
    : Params[K];
};

/**
 * The events as `timeout()` makes them: each acknowledgement callback gets an Error
 * first, set when the delay elapsed without an answer.
 *
 * @example
 * // with `ask: (question: string, answer: (reply: number) => void) => void`
 * socket.timeout(1000).emit("ask", "how many?", (err, reply) => {
 *   // err: Error (null at run time when the client answered), reply: number
 * });
 */
export type DecorateAcknowledgements<E> = {
  [K in keyof E]: E[K] extends (...args: infer P) => infer R ? (...args: WithTimeoutError<P>) => R : E[K];
};

/** The events of a broadcast with a timeout: an Error first, then one response per recipient. */
export type DecorateAcknowledgementsWithTimeoutAndMultipleResponses<E> = {
  [K in keyof E]: E[K] extends (...args: infer P) => infer R
    ? (...args: WithMultipleResponses<WithTimeoutError<P>>) => R
    : E[K];
};

/** The events of a broadcast: the acknowledgement gets one response per recipient. */
export type DecorateAcknowledgementsWithMultipleResponses<E> = {
  [K in keyof E]: E[K] extends (...args: infer P) => infer R ? (...args: WithMultipleResponses<P>) => R : E[K];
};

/** The event names of the reserved and of the user's map. */
type ReservedOrUserEventNames<Reserved extends EventsMap, User extends EventsMap> =
  | EventNames<Reserved>
  | EventNames<User>;

/** The listener of `Ev`: the reserved event's if it is one, the user's otherwise, else untyped. */
type ReservedOrUserListener<
  Reserved extends EventsMap,
  User extends EventsMap,
  Ev extends ReservedOrUserEventNames<Reserved, User>,
> = UntypedIfNever<Ev extends EventNames<Reserved> ? Reserved[Ev] : Ev extends EventNames<User> ? User[Ev] : never>;

type UntypedIfNever<T> = [T] extends [never] ? (...args: any[]) => void | Promise<void> : T;

/** Something that emits typed events. */
export interface TypedEventBroadcaster<EmitEvents extends EventsMap> {
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
}

/** An EventEmitter whose `on`, `once`, `emit` and `listeners` follow event maps. */
declare abstract class TypedEventEmitter<
    ListenEvents extends EventsMap,
    EmitEvents extends EventsMap,
    ReservedEvents extends EventsMap = {},
  >
  extends EventEmitter
  implements TypedEventBroadcaster<EmitEvents>
{
  /**
   * Adds a listener for `ev`.
   *
   * @param ev - the event's name
   * @param listener - called with the event's arguments
   */
  on<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this;
  /**
   * Adds a listener for the next `ev` only.
   *
   * @param ev - the event's name
   * @param listener - called with the event's arguments
   */
  once<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this;
  /**
   * Emits an event.
   *
   * @param ev - the event's name
   * @param args - its arguments
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
  /**
   * The listeners of an event.
   *
   * @param event - the event's name
   */
  listeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    event: Ev,
  ): ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>[];
}

// ---------------------------------------------------------------- options

/** An HTTP server Socket.IO can attach to. */
type AttachableServer = HttpServer | HttpsServer | Http2SecureServer | Http2Server;

/** A function deciding whether a namespace name is served (`io.of(fn)`). */
type ParentNspNameMatchFn = (
  name: string,
  auth: { [key: string]: any },
  fn: (err: Error | null, success: boolean) => void,
) => void;

/**
 * Options of the Socket.IO server, on top of the engine's. `adapter`, `parser` and
 * `connectionStateRecovery` are not offered by sio-rs (they make the constructor throw).
 */
export interface ServerOptions extends EngineOptions, AttachOptions {
  /**
   * The path the server answers on.
   * @default "/socket.io"
   */
  path: string;
  /**
   * Whether the client bundle is served (`/socket.io/socket.io.js` and its variants).
   * @default true
   */
  serveClient: boolean;
  /**
   * How long, in ms, a connection may stay without joining a namespace before it is
   * closed.
   * @default 45000
   */
  connectTimeout: number;
  /**
   * Whether a child namespace of a dynamic namespace (`io.of(regex)`) is removed once its
   * last socket left.
   * @default false
   */
  cleanupEmptyChildNamespaces: boolean;
}

/** Why a socket disconnected. */
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

/** A room's name. Each socket is in a room named after its id. */
export type Room = string;
/** A socket's id. */
export type SocketId = string;

/** An error a middleware passes to `next()`; `data` reaches the client with it. */
export interface ExtendedError extends Error {
  data?: any;
}

/** What the server knows of a socket's handshake. */
export interface Handshake {
  /** The headers of the request that opened the connection. */
  headers: IncomingHttpHeaders;
  /** When the socket was created, as a date string. */
  time: string;
  /** The client's IP address. */
  address: string;
  /** Whether the request came from another origin. */
  xdomain: boolean;
  /** Whether the connection is over TLS. */
  secure: boolean;
  /** When the socket was created, in ms since the epoch. */
  issued: number;
  /** The URL of the request. */
  url: string;
  /** The query parameters of the request. */
  query: ParsedUrlQuery;
  /** The `auth` payload the client sent to join the namespace. */
  auth: { [key: string]: any };
}

/** An incoming event as socket middlewares see it: `[eventName, ...args]`. */
export type Event = [string, ...any[]];

// ---------------------------------------------------------------- reserved events

interface NamespaceReservedEvents<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> {
  /** A socket joined the namespace (same as `connection`). */
  connect: (socket: Socket<L, E, S, D>) => void;
  /** A socket joined the namespace. */
  connection: (socket: Socket<L, E, S, D>) => void;
}

interface ServerReservedEvents<L extends EventsMap, E extends EventsMap, S extends EventsMap, D>
  extends NamespaceReservedEvents<L, E, S, D> {
  /** A namespace was created. */
  new_namespace: (namespace: Namespace<L, E, S, D>) => void;
}

interface SocketReservedEvents {
  /** The socket disconnected. */
  disconnect: (reason: DisconnectReason, description?: any) => void;
  /** The socket is disconnecting: it is still in its rooms. */
  disconnecting: (reason: DisconnectReason, description?: any) => void;
  /** A middleware of `socket.use()` failed. */
  error: (err: Error) => void;
}

/**
 * The socket's own events, and sio-rs's `drain`, unless the app's events have a `drain`
 * of their own (it is no reserved name: clients may send it).
 */
type SocketOwnEvents<ListenEvents extends EventsMap> = SocketReservedEvents &
  ('drain' extends keyof ListenEvents
    ? {}
    : {
        /** sio-rs only: the connection's queue is below the high-water mark again. */
        drain: () => void;
      });

// ---------------------------------------------------------------- adapter

/** What a broadcast targets, as the adapter's methods take it. */
export interface BroadcastOptions {
  rooms: Set<Room>;
  except?: Set<Room>;
  flags?: {
    volatile?: boolean;
    compress?: boolean;
    local?: boolean;
    broadcast?: boolean;
    binary?: boolean;
    timeout?: number;
  };
}

/** The events of the adapter (`nsp.adapter`). */
export interface AdapterEvents {
  /** A room got its first member. */
  'create-room': (room: Room) => void;
  /** A room lost its last member. */
  'delete-room': (room: Room) => void;
  /** A socket joined a room. */
  'join-room': (room: Room, id: SocketId) => void;
  /** A socket left a room. */
  'leave-room': (room: Room, id: SocketId) => void;
}

/**
 * The in-memory adapter of a namespace (`nsp.adapter`): its rooms are kept in the Rust
 * engine, and it emits the room events of socket.io-adapter. Custom adapters are not
 * offered by sio-rs.
 *
 * @example
 * io.of("/").adapter.on("join-room", (room, id) => {
 *   console.log(`socket ${id} joined room ${room}`);
 * });
 */
declare class Adapter extends EventEmitter {
  /** @param nsp - the namespace the adapter serves */
  constructor(nsp: Namespace);
  /** The namespace of this adapter. */
  readonly nsp: Namespace;
  /** Each room and the ids of its members (a snapshot, built when read). */
  readonly rooms: Map<Room, Set<SocketId>>;
  /** Each socket id and its rooms (a snapshot, built when read). */
  readonly sids: Map<SocketId, Set<Room>>;

  init(): Promise<void> | void;
  close(): Promise<void> | void;
  /** How many servers share the namespace: always 1. */
  serverCount(): Promise<number>;
  /** Makes socket `id` join `rooms`. */
  addAll(id: SocketId, rooms: Set<Room>): Promise<void> | void;
  /** Makes socket `id` leave `room`. */
  del(id: SocketId, room: Room): Promise<void> | void;
  /** Makes socket `id` leave all its rooms. */
  delAll(id: SocketId): void;
  /** The ids of the sockets in `rooms` (all sockets for an empty set). */
  sockets(rooms: Set<Room>): Promise<Set<SocketId>>;
  /** The rooms of socket `id`. */
  socketRooms(id: SocketId): Set<Room> | undefined;
  /** The sockets a broadcast with `opts` would reach. */
  fetchSockets(opts: BroadcastOptions): Promise<any[]>;
  /** Makes the sockets matching `opts` join `rooms`. */
  addSockets(opts: BroadcastOptions, rooms: Room[]): void;
  /** Makes the sockets matching `opts` leave `rooms`. */
  delSockets(opts: BroadcastOptions, rooms: Room[]): void;
  /** Disconnects the sockets matching `opts`. */
  disconnectSockets(opts: BroadcastOptions, close: boolean): void;
  /** For a cluster of servers: the in-memory adapter has none and only warns. */
  serverSideEmit(packet: any[]): void;

  on<Ev extends keyof AdapterEvents>(event: Ev, listener: AdapterEvents[Ev]): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once<Ev extends keyof AdapterEvents>(event: Ev, listener: AdapterEvents[Ev]): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}

// ---------------------------------------------------------------- broadcast

/**
 * A broadcast target, built by `io.to(room)`, `socket.broadcast`, `nsp.except(room)` and
 * the like. It is immutable: each modifier returns a new one.
 *
 * @example
 * io.to("room-1").except("room-2").emit("news", "to room-1 but not room-2");
 */
declare class BroadcastOperator<EmitEvents extends EventsMap, SocketData> implements TypedEventBroadcaster<EmitEvents> {
  /**
   * Adds rooms to the target: a socket in any of them receives the event (once).
   *
   * @example
   * io.to("room-1").emit("news", "to one room");
   * io.to(["room-1", "room-2"]).emit("news", "to both rooms");
   * io.to("room-1").to("room-2").emit("news", "chained");
   *
   * @param room - a room, or several
   * @return a new BroadcastOperator
   */
  to(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData>;
  /**
   * Adds rooms to the target, like {@link to}.
   *
   * @example
   * io.in("room-1").disconnectSockets();
   *
   * @param room - a room, or several
   * @return a new BroadcastOperator
   */
  in(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData>;
  /**
   * Leaves out the sockets of these rooms.
   *
   * @example
   * io.except("muted").emit("news", "to everyone else");
   *
   * @param room - a room, or several
   * @return a new BroadcastOperator
   */
  except(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData>;
  /**
   * Sets whether the event's data is compressed.
   *
   * @param compress - `true` to compress
   * @return a new BroadcastOperator
   */
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData>;
  /**
   * Makes the next event volatile: a client that cannot take it right now (slow network,
   * polling request under way) does not get it.
   *
   * @example
   * io.volatile.emit("position", x, y);
   *
   * @return a new BroadcastOperator
   */
  get volatile(): BroadcastOperator<EmitEvents, SocketData>;
  /**
   * Limits the broadcast to this server (the same as without it, for the in-memory
   * adapter).
   *
   * @return a new BroadcastOperator
   */
  get local(): BroadcastOperator<EmitEvents, SocketData>;
  /**
   * Sets how long, in ms, to wait for the acknowledgements of the next event: the
   * callback then gets an Error first, set if some clients did not answer in time.
   *
   * @example
   * io.timeout(1000).emit("ping", (err, replies) => {
   *   if (err) {
   *     // some clients did not answer in time
   *   } else {
   *     console.log(replies); // one per client
   *   }
   * });
   *
   * @param timeout - in ms
   * @return a new BroadcastOperator
   */
  timeout(timeout: number): BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData>;
  /**
   * Emits an event to every socket of the target.
   *
   * @example
   * io.to("room-1").emit("news", "hello");
   *
   * // with acknowledgements: one response per client
   * io.timeout(1000).emit("ping", (err, replies) => {});
   *
   * @return always true
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
  /**
   * Emits an event and resolves with every client's acknowledgement (after `timeout()`).
   * The promise rejects if some clients did not answer in time.
   *
   * @example
   * try {
   *   const replies = await io.timeout(1000).emitWithAck("ping");
   * } catch (err) {
   *   // some clients did not answer in time
   * }
   *
   * @return a promise of the responses, one per client
   */
  emitWithAck<Ev extends EventNamesWithError<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>>;
  /**
   * The ids of the sockets of the target.
   *
   * @deprecated use {@link fetchSockets} instead
   */
  allSockets(): Promise<Set<SocketId>>;
  /**
   * The sockets of the target.
   *
   * @example
   * const sockets = await io.in("room-1").fetchSockets();
   * for (const socket of sockets) {
   *   console.log(socket.id, socket.rooms, socket.data);
   * }
   */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]>;
  /**
   * Makes the sockets of the target join rooms.
   *
   * @example
   * io.in("room-1").socketsJoin(["room-2", "room-3"]);
   *
   * @param room - a room, or several
   */
  socketsJoin(room: Room | Room[]): void;
  /**
   * Makes the sockets of the target leave rooms.
   *
   * @example
   * io.in("room-1").socketsLeave("room-2");
   *
   * @param room - a room, or several
   */
  socketsLeave(room: Room | Room[]): void;
  /**
   * Disconnects the sockets of the target.
   *
   * @example
   * io.in("room-1").disconnectSockets(true);
   *
   * @param close - also close their underlying connections
   */
  disconnectSockets(close?: boolean): void;
}

/**
 * A socket as `fetchSockets()` returns it: its id, handshake, rooms and data, and what
 * can be done to it.
 */
declare class RemoteSocket<EmitEvents extends EventsMap, SocketData> implements TypedEventBroadcaster<EmitEvents> {
  readonly id: SocketId;
  readonly handshake: Handshake;
  readonly rooms: Set<Room>;
  readonly data: SocketData;
  /**
   * Sets how long, in ms, to wait for the acknowledgement of the next event.
   *
   * @example
   * socket.timeout(1000).emit("ping", (err, reply) => {
   *   if (err) {
   *     // no answer in time
   *   }
   * });
   *
   * @param timeout - in ms
   */
  timeout(timeout: number): BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData>;
  /** Emits an event to this socket. */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
  /**
   * Joins rooms.
   *
   * @param room - a room, or several
   */
  join(room: Room | Room[]): void;
  /**
   * Leaves a room.
   *
   * @param room - the room
   */
  leave(room: Room): void;
  /**
   * Disconnects this socket.
   *
   * @param close - also close the underlying connection
   * @return self
   */
  disconnect(close?: boolean): this;
}

// ---------------------------------------------------------------- socket

/** A connection as Socket.IO sees it (`socket.client`): one per Engine.IO session. */
export interface Client {
  /** The session id of the connection. */
  readonly id: string;
  /** The Engine.IO session. */
  readonly conn: EngineSocket;
  /** The request that opened the connection. */
  readonly request: IncomingMessage;
}

/**
 * A client's membership in a namespace: what the server uses to talk to that client.
 * A socket can join and leave rooms, which the server broadcasts to.
 *
 * @example
 * io.on("connection", (socket) => {
 *   console.log(`${socket.id} connected`);
 *
 *   socket.emit("welcome", "hello");
 *   socket.on("chat", (text) => {
 *     socket.to("lobby").emit("chat", text);
 *   });
 *   socket.join("lobby");
 *
 *   socket.on("disconnect", (reason) => {
 *     console.log(`${socket.id} left: ${reason}`);
 *   });
 * });
 */
export declare class Socket<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
> extends TypedEventEmitter<ListenEvents, EmitEvents, SocketOwnEvents<ListenEvents>> {
  /** The namespace of this socket. */
  readonly nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The connection this socket uses. */
  readonly client: Client;
  /** The socket's id, also the name of its own room. */
  readonly id: SocketId;
  /** Whether the state of a previous connection was recovered: always false in sio-rs. */
  readonly recovered: boolean;
  /** What the server knows of the handshake. */
  readonly handshake: Handshake;
  /**
   * Anything the application attaches to the socket; `fetchSockets()` returns it.
   *
   * @example
   * io.use((socket, next) => {
   *   socket.data.user = lookUp(socket.handshake.auth.token);
   *   next();
   * });
   */
  data: SocketData;
  /**
   * Whether the socket is connected: false in the middlewares of `io.use()`, true in
   * `connection` listeners, false again after disconnection.
   */
  connected: boolean;
  /** Whether the socket is disconnected. */
  readonly disconnected: boolean;
  /** The request that opened the connection. */
  readonly request: IncomingMessage;
  /**
   * The Engine.IO session under this socket.
   *
   * @example
   * io.on("connection", (socket) => {
   *   console.log(socket.conn.transport.name); // "polling" or "websocket"
   *   socket.conn.once("upgrade", () => console.log(socket.conn.transport.name));
   * });
   */
  readonly conn: EngineSocket;
  /**
   * The rooms the socket is in, its own included.
   *
   * @example
   * socket.join("lobby");
   * console.log(socket.rooms); // Set { <socket.id>, "lobby" }
   */
  readonly rooms: Set<Room>;

  /**
   * Emits an event to this client. A last argument that is a function is called with the
   * client's acknowledgement.
   *
   * @example
   * socket.emit("welcome", "hello", { id: 1 });
   *
   * // with an acknowledgement
   * socket.emit("ask", "how many?", (reply) => {});
   *
   * @return false when the connection's queue is above `outboundHighWaterMark` (sio-rs
   * only: wait for the `drain` event before emitting more), true otherwise
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
  /**
   * Emits an event and resolves with the client's acknowledgement. After `timeout()`,
   * the promise rejects when the client did not answer in time.
   *
   * @example
   * const reply = await socket.emitWithAck("ask", "how many?");
   *
   * try {
   *   const reply = await socket.timeout(1000).emitWithAck("ask", "how many?");
   * } catch (err) {
   *   // no answer in time
   * }
   *
   * @return a promise of the acknowledgement's first argument
   */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>>;
  /**
   * Broadcasts to rooms, leaving this socket out.
   *
   * @example
   * socket.to("lobby").emit("chat", "hi all"); // everyone in "lobby" but this socket
   * socket.to(["lobby", "games"]).emit("chat", "hi"); // once per client
   *
   * @param room - a room, or several
   * @return a new BroadcastOperator
   */
  to(room: Room | Room[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Broadcasts to rooms, leaving this socket out, like {@link to}.
   *
   * @example
   * socket.in("lobby").disconnectSockets();
   *
   * @param room - a room, or several
   * @return a new BroadcastOperator
   */
  in(room: Room | Room[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Broadcasts to everyone but the sockets of these rooms and this socket.
   *
   * @example
   * socket.except("muted").emit("chat", "hi");
   *
   * @param room - a room, or several
   * @return a new BroadcastOperator
   */
  except(room: Room | Room[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Emits a `message` event, as WebSocket's `send()` would.
   *
   * @example
   * socket.send("hello"); // socket.emit("message", "hello")
   *
   * @return self
   */
  send(...args: EventParams<EmitEvents, 'message'>): this;
  /** Emits a `message` event. Alias of {@link send}. */
  write(...args: EventParams<EmitEvents, 'message'>): this;
  /**
   * Joins rooms.
   *
   * @example
   * socket.join("lobby");
   * socket.join(["lobby", "games"]);
   *
   * @param rooms - a room, or several
   */
  join(rooms: Room | Array<Room>): Promise<void> | void;
  /**
   * Leaves a room.
   *
   * @example
   * socket.leave("lobby");
   *
   * @param room - the room
   */
  leave(room: string): Promise<void> | void;
  /**
   * Disconnects this socket from its namespace.
   *
   * @example
   * socket.disconnect(); // the connection stays open for other namespaces
   * socket.disconnect(true); // closes the connection too
   *
   * @param close - also close the underlying connection
   * @return self
   */
  disconnect(close?: boolean): this;
  /**
   * Sets whether the next event's data is compressed.
   *
   * @example
   * socket.compress(false).emit("blob", data);
   *
   * @param compress - `true` to compress
   * @return self
   */
  compress(compress: boolean): this;
  /**
   * Makes the next event volatile: dropped if the client cannot take it right now.
   *
   * @example
   * socket.volatile.emit("position", x, y);
   *
   * @return self
   */
  get volatile(): this;
  /**
   * Broadcasts to every socket of the namespace but this one.
   *
   * @example
   * socket.broadcast.emit("joined", socket.id);
   *
   * @return a new BroadcastOperator
   */
  get broadcast(): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Broadcasts to the sockets of this server only, this one left out.
   *
   * @example
   * socket.local.emit("news", "this server only");
   *
   * @return a new BroadcastOperator
   */
  get local(): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Sets how long, in ms, to wait for the acknowledgement of the next event: the callback
   * then gets an Error first, set if the client did not answer in time.
   *
   * @example
   * socket.timeout(5000).emit("ask", "how many?", (err, reply) => {
   *   if (err) {
   *     // no answer in time
   *   }
   * });
   *
   * @return self
   */
  timeout(timeout: number): Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>, ServerSideEvents, SocketData>;
  /**
   * Adds a middleware for the events this socket receives.
   *
   * @example
   * socket.use(([event, ...args], next) => {
   *   if (!allowed(event)) return next(new Error("not allowed"));
   *   next();
   * });
   * socket.on("error", (err) => socket.disconnect());
   *
   * @param fn - called with the event and `next`
   * @return self
   */
  use(fn: (event: Event, next: (err?: Error) => void) => void): this;
  /**
   * Adds a listener called for every event received, with the event's name first.
   *
   * @example
   * socket.onAny((event, ...args) => console.log(`got ${event}`));
   *
   * @return self
   */
  onAny(listener: (...args: any[]) => void): this;
  /**
   * Adds a listener for every event received, before the other ones.
   *
   * @return self
   */
  prependAny(listener: (...args: any[]) => void): this;
  /**
   * Removes a listener added with {@link onAny}, or all of them.
   *
   * @example
   * socket.offAny(logger);
   * socket.offAny();
   *
   * @return self
   */
  offAny(listener?: (...args: any[]) => void): this;
  /** The listeners added with {@link onAny}. */
  listenersAny(): ((...args: any[]) => void)[];
  /**
   * Adds a listener called for every event sent to this client, with the event's name
   * first (acknowledgements are not included).
   *
   * @example
   * socket.onAnyOutgoing((event, ...args) => console.log(`sent ${event}`));
   *
   * @return self
   */
  onAnyOutgoing(listener: (...args: any[]) => void): this;
  /**
   * Adds a listener for every event sent, before the other ones.
   *
   * @return self
   */
  prependAnyOutgoing(listener: (...args: any[]) => void): this;
  /**
   * Removes a listener added with {@link onAnyOutgoing}, or all of them.
   *
   * @return self
   */
  offAnyOutgoing(listener?: (...args: any[]) => void): this;
  /** The listeners added with {@link onAnyOutgoing}. */
  listenersAnyOutgoing(): ((...args: any[]) => void)[];
}

// ---------------------------------------------------------------- namespace

/**
 * A group of sockets under a path name (`/` by default, `/admin`...): its own event
 * handlers, middlewares and rooms. Clients join a namespace with its name in their URL.
 *
 * @example
 * const admin = io.of("/admin");
 *
 * admin.use((socket, next) => {
 *   if (!isAdmin(socket.handshake.auth)) return next(new Error("forbidden"));
 *   next();
 * });
 *
 * admin.on("connection", (socket) => {
 *   socket.join("staff");
 *   admin.to("staff").emit("joined", socket.id);
 * });
 */
export declare class Namespace<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
> extends TypedEventEmitter<
  ServerSideEvents,
  RemoveAcknowledgements<EmitEvents>,
  NamespaceReservedEvents<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
> {
  /** The namespace's name, such as `/` or `/admin`. */
  readonly name: string;
  /** The connected sockets of the namespace, by id. */
  readonly sockets: Map<SocketId, Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>;
  /**
   * The namespace's adapter: its rooms, and the room events.
   *
   * @example
   * nsp.adapter.on("create-room", (room) => console.log(`room ${room} created`));
   * console.log(nsp.adapter.rooms.get("lobby")?.size);
   */
  adapter: Adapter;
  /** The server of this namespace. */
  readonly server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;

  /**
   * Adds a middleware, run for each socket before it joins the namespace. Passing an
   * error to `next` refuses the socket; the client gets a `connect_error` with it.
   *
   * @example
   * nsp.use((socket, next) => {
   *   if (!socket.handshake.auth.token) return next(new Error("no token"));
   *   next();
   * });
   *
   * @param fn - called with the socket and `next`
   * @return self
   */
  use(
    fn: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, next: (err?: ExtendedError) => void) => void,
  ): this;
  /**
   * Broadcasts to the sockets of rooms.
   *
   * @example
   * nsp.to("lobby").emit("news", "hello");
   * nsp.to(["lobby", "games"]).emit("news", "hello"); // once per client
   *
   * @param room - a room, or several
   * @return a new BroadcastOperator
   */
  to(room: Room | Room[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Broadcasts to the sockets of rooms, like {@link to}.
   *
   * @example
   * nsp.in("lobby").disconnectSockets();
   *
   * @param room - a room, or several
   * @return a new BroadcastOperator
   */
  in(room: Room | Room[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Broadcasts to every socket but those of these rooms.
   *
   * @example
   * nsp.except("muted").emit("news", "hello");
   *
   * @param room - a room, or several
   * @return a new BroadcastOperator
   */
  except(room: Room | Room[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Emits an event to every socket of the namespace. For acknowledgements, use
   * `timeout()` first.
   *
   * @example
   * nsp.emit("news", "hello");
   *
   * @return always true
   */
  emit<Ev extends EventNamesWithoutAck<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
  /**
   * Emits a `message` event to every socket.
   *
   * @example
   * nsp.send("hello"); // nsp.emit("message", "hello")
   *
   * @return self
   */
  send(...args: EventParams<EmitEvents, 'message'>): this;
  /** Emits a `message` event to every socket. Alias of {@link send}. */
  write(...args: EventParams<EmitEvents, 'message'>): this;
  /**
   * Emits an event to the other servers of a cluster. The in-memory adapter has none: it
   * only warns.
   *
   * @example
   * nsp.serverSideEmit("reload", "config");
   * nsp.on("reload", (what) => {}); // on the other servers
   *
   * @return always true
   */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(
    ev: Ev,
    ...args: EventParams<DecorateAcknowledgementsWithTimeoutAndMultipleResponses<ServerSideEvents>, Ev>
  ): boolean;
  /**
   * Emits an event to the other servers of a cluster and resolves with their
   * acknowledgements.
   *
   * @example
   * const counts = await nsp.serverSideEmitWithAck("count");
   *
   * @return a promise of the responses, one per server
   */
  serverSideEmitWithAck<Ev extends EventNamesWithAck<ServerSideEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<ServerSideEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<ServerSideEvents, Ev>>>[]>;
  /**
   * The ids of the connected sockets.
   *
   * @deprecated use {@link fetchSockets} instead
   */
  allSockets(): Promise<Set<SocketId>>;
  /**
   * Sets whether the next broadcast's data is compressed.
   *
   * @param compress - `true` to compress
   * @return a new BroadcastOperator
   */
  compress(compress: boolean): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Makes the next broadcast volatile: clients that cannot take it right now do not get
   * it.
   *
   * @example
   * nsp.volatile.emit("position", x, y);
   *
   * @return a new BroadcastOperator
   */
  get volatile(): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Broadcasts to the sockets of this server only.
   *
   * @example
   * nsp.local.emit("news", "this server only");
   *
   * @return a new BroadcastOperator
   */
  get local(): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Sets how long, in ms, to wait for the acknowledgements of the next broadcast.
   *
   * @example
   * nsp.timeout(1000).emit("ping", (err, replies) => {
   *   if (err) {
   *     // some clients did not answer in time
   *   } else {
   *     console.log(replies); // one per client
   *   }
   * });
   *
   * @param timeout - in ms
   * @return a new BroadcastOperator
   */
  timeout(
    timeout: number,
  ): BroadcastOperator<DecorateAcknowledgements<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>>, SocketData>;
  /**
   * The connected sockets of the namespace.
   *
   * @example
   * const sockets = await nsp.fetchSockets();
   * const inLobby = await nsp.in("lobby").fetchSockets();
   */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]>;
  /**
   * Makes the connected sockets join rooms.
   *
   * @example
   * nsp.socketsJoin("everyone");
   * nsp.in("lobby").socketsJoin(["games", "chat"]);
   *
   * @param room - a room, or several
   */
  socketsJoin(room: Room | Room[]): void;
  /**
   * Makes the connected sockets leave rooms.
   *
   * @example
   * nsp.socketsLeave("lobby");
   *
   * @param room - a room, or several
   */
  socketsLeave(room: Room | Room[]): void;
  /**
   * Disconnects the connected sockets.
   *
   * @example
   * nsp.disconnectSockets(); // their connections stay open for other namespaces
   * nsp.in("lobby").disconnectSockets(true); // and closed
   *
   * @param close - also close their underlying connections
   */
  disconnectSockets(close?: boolean): void;
}

// ---------------------------------------------------------------- server

/**
 * The Socket.IO server. Namespaces, rooms and fan-out run in the Rust engine; the
 * application's handlers, middlewares and acknowledgements run in JS. Its broadcasting
 * methods and events are those of the main namespace (`io.sockets`).
 *
 * @example
 * import { createServer } from "node:http";
 * import { Server } from "sio-rs";
 *
 * const httpServer = createServer();
 * const io = new Server(httpServer, { cors: { origin: "*" } });
 *
 * io.on("connection", (socket) => {
 *   socket.emit("welcome", socket.id);
 *   socket.on("chat", (text) => io.emit("chat", text));
 * });
 *
 * httpServer.listen(3000);
 */
export declare class Server<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
> extends TypedEventEmitter<
  ServerSideEvents,
  RemoveAcknowledgements<EmitEvents>,
  ServerReservedEvents<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
> {
  /** The main namespace, `/`. */
  readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The Engine.IO server under this one (set once attached). */
  engine: Engine;
  /** The HTTP server this one is attached to. */
  httpServer: AttachableServer;

  /**
   * Creates a server; attach it to an HTTP server later with {@link attach}.
   *
   * @example
   * const io = new Server({ cors: { origin: "*" } });
   * io.listen(3000);
   */
  constructor(opts?: Partial<ServerOptions>);
  /**
   * Creates a server attached to an HTTP server, or listening on a port.
   *
   * @example
   * const io = new Server(httpServer);
   * const io2 = new Server(3000, { pingInterval: 10000 });
   */
  constructor(srv?: AttachableServer | number, opts?: Partial<ServerOptions>);
  constructor(srv: undefined | Partial<ServerOptions> | AttachableServer | number, opts?: Partial<ServerOptions>);

  /**
   * Sets whether the client bundle is served.
   *
   * @param v - whether to serve it
   * @return self
   */
  serveClient(v: boolean): this;
  /** Whether the client bundle is served. */
  serveClient(): boolean;
  /**
   * Sets the path the server answers on (before attaching).
   *
   * @param v - the path
   * @return self
   */
  path(v: string): this;
  /** The path the server answers on. */
  path(): string;
  /**
   * Sets how long, in ms, a connection may stay without joining a namespace.
   *
   * @param v - in ms
   * @return self
   */
  connectTimeout(v: number): this;
  /** How long, in ms, a connection may stay without joining a namespace. */
  connectTimeout(): number;
  /** The adapter class (the in-memory one: custom adapters are not offered by sio-rs). */
  adapter(): typeof Adapter;
  /**
   * Attaches to an HTTP server, or creates one listening on `port`.
   *
   * @example
   * io.listen(3000);
   *
   * @param srv - an HTTP server, or a port
   * @param opts - options
   * @return self
   */
  listen(srv: AttachableServer | number, opts?: Partial<ServerOptions>): this;
  /**
   * Attaches to an HTTP server, or creates one listening on `port`.
   *
   * @example
   * io.attach(httpServer);
   *
   * @param srv - an HTTP server, or a port
   * @param opts - options
   * @return self
   */
  attach(srv: AttachableServer | number, opts?: Partial<ServerOptions>): this;
  /**
   * Uses an Engine.IO server of `sio-rs/engine` for this server's connections.
   *
   * @param engine - the engine
   * @return self
   */
  bind(engine: Engine): this;
  /**
   * The namespace of a name, created on first use. With a regular expression or a
   * function, a dynamic namespace: each name it matches gets a child namespace, created
   * when a client asks for it.
   *
   * @example
   * const admin = io.of("/admin");
   * admin.on("connection", (socket) => {});
   *
   * // dynamic
   * io.of(/^\/room-\d+$/).on("connection", (socket) => {
   *   console.log(socket.nsp.name);
   * });
   * io.of((name, auth, next) => next(null, name.startsWith("/team-")));
   *
   * @param name - a name, a regular expression, or a function deciding
   * @param fn - a `connection` listener to add
   */
  of(
    name: string | RegExp | ParentNspNameMatchFn,
    fn?: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void,
  ): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /**
   * Disconnects every socket, closes the engine, then the HTTP server.
   *
   * @param fn - called once the HTTP server closed
   */
  close(fn?: (err?: Error) => void): Promise<void>;
  /**
   * Adds a middleware to the main namespace, run for each socket before it connects.
   *
   * @example
   * io.use((socket, next) => {
   *   if (!socket.handshake.auth.token) return next(new Error("no token"));
   *   next();
   * });
   *
   * @param fn - called with the socket and `next`
   * @return self
   */
  use(
    fn: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, next: (err?: ExtendedError) => void) => void,
  ): this;
  /**
   * Broadcasts to the sockets of rooms.
   *
   * @example
   * io.to("lobby").emit("news", "hello");
   * io.to(["lobby", "games"]).emit("news", "hello"); // once per client
   * io.to("lobby").to("games").emit("news", "hello");
   *
   * @param room - a room, or several
   * @return a new BroadcastOperator
   */
  to(room: Room | Room[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Broadcasts to the sockets of rooms, like {@link to}.
   *
   * @example
   * io.in("lobby").disconnectSockets();
   *
   * @param room - a room, or several
   * @return a new BroadcastOperator
   */
  in(room: Room | Room[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Broadcasts to every socket but those of these rooms.
   *
   * @example
   * io.except("muted").emit("news", "hello");
   *
   * @param room - a room, or several
   * @return a new BroadcastOperator
   */
  except(room: Room | Room[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Emits an event to every socket of the main namespace. For acknowledgements, use
   * `timeout()` first.
   *
   * @example
   * io.emit("news", "hello");
   *
   * @return always true
   */
  emit<Ev extends EventNamesWithoutAck<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
  /**
   * Emits a `message` event to every socket.
   *
   * @example
   * io.send("hello"); // io.emit("message", "hello")
   *
   * @return self
   */
  send(...args: EventParams<EmitEvents, 'message'>): this;
  /** Emits a `message` event to every socket. Alias of {@link send}. */
  write(...args: EventParams<EmitEvents, 'message'>): this;
  /**
   * Emits an event to the other servers of a cluster. The in-memory adapter has none: it
   * only warns.
   *
   * @example
   * io.serverSideEmit("reload", "config");
   * io.on("reload", (what) => {}); // on the other servers
   *
   * @return always true
   */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(
    ev: Ev,
    ...args: EventParams<DecorateAcknowledgementsWithTimeoutAndMultipleResponses<ServerSideEvents>, Ev>
  ): boolean;
  /**
   * Emits an event to the other servers of a cluster and resolves with their
   * acknowledgements.
   *
   * @example
   * const counts = await io.serverSideEmitWithAck("count");
   *
   * @return a promise of the responses, one per server
   */
  serverSideEmitWithAck<Ev extends EventNamesWithAck<ServerSideEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<ServerSideEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<ServerSideEvents, Ev>>>[]>;
  /**
   * The ids of the connected sockets of the main namespace.
   *
   * @deprecated use {@link fetchSockets} instead
   */
  allSockets(): Promise<Set<SocketId>>;
  /**
   * Sets whether the next broadcast's data is compressed.
   *
   * @example
   * io.compress(false).emit("blob", data);
   *
   * @param compress - `true` to compress
   * @return a new BroadcastOperator
   */
  compress(compress: boolean): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Makes the next broadcast volatile: clients that cannot take it right now do not get
   * it.
   *
   * @example
   * io.volatile.emit("position", x, y);
   *
   * @return a new BroadcastOperator
   */
  get volatile(): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Broadcasts to the sockets of this server only.
   *
   * @example
   * io.local.emit("news", "this server only");
   *
   * @return a new BroadcastOperator
   */
  get local(): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData>;
  /**
   * Sets how long, in ms, to wait for the acknowledgements of the next broadcast.
   *
   * @example
   * io.timeout(1000).emit("ping", (err, replies) => {
   *   if (err) {
   *     // some clients did not answer in time
   *   } else {
   *     console.log(replies); // one per client
   *   }
   * });
   *
   * @param timeout - in ms
   * @return a new BroadcastOperator
   */
  timeout(
    timeout: number,
  ): BroadcastOperator<DecorateAcknowledgements<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>>, SocketData>;
  /**
   * The connected sockets of the main namespace.
   *
   * @example
   * const sockets = await io.fetchSockets();
   * const inLobby = await io.in("lobby").fetchSockets();
   * for (const socket of inLobby) {
   *   socket.emit("news", "hello");
   *   socket.leave("lobby");
   * }
   */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]>;
  /**
   * Makes the connected sockets join rooms.
   *
   * @example
   * io.socketsJoin("everyone");
   * io.in("lobby").socketsJoin(["games", "chat"]);
   *
   * @param room - a room, or several
   */
  socketsJoin(room: Room | Room[]): void;
  /**
   * Makes the connected sockets leave rooms.
   *
   * @example
   * io.socketsLeave("lobby");
   * io.in("lobby").socketsLeave(["games", "chat"]);
   *
   * @param room - a room, or several
   */
  socketsLeave(room: Room | Room[]): void;
  /**
   * Disconnects the connected sockets.
   *
   * @example
   * io.disconnectSockets(); // their connections stay open for other namespaces
   * io.in("lobby").disconnectSockets(true); // and closed
   *
   * @param close - also close their underlying connections
   */
  disconnectSockets(close?: boolean): void;
}

// Types of objects the API returns, which `require("sio-rs")` does not export as values.
export type { Adapter, BroadcastOperator, RemoteSocket };

// The engine's types, also under the names earlier versions of this file exported.
export type { AttachOptions, Engine, EngineMiddleware, EngineOptions, EngineSocket };
