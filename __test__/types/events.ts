// Typed events: what socket.io's typings accept is accepted, what they refuse is refused
// (`@ts-expect-error` lines must fail to compile), and each call has the type socket.io
// gives it. Compiled by `tsc -p __test__/types`, never run.

import { createServer } from 'node:http';
import {
  Server,
  Socket,
  type BroadcastOperator,
  type DefaultEventsMap,
  type DisconnectReason,
  type EventsMap,
} from 'sio-rs';
import { typeOf, isNever } from './check';

// ---------------------------------------------------------------- event maps

/** What clients send. */
interface Inbound {
  ready: () => void;
  chat: (text: string) => void;
  vote: (pollId: string, choice: number, done: (accepted: boolean, total: number) => void) => void;
}

/** What the server sends. */
interface Outbound {
  ready: () => void;
  tick: (frame: number, label: string) => void;
  quiz: (question: string, strict: boolean, answer: (guess: number, confidence: string) => void) => void;
  lookup: (key: string, exact: boolean, found: (value: string) => void) => void;
  poke: (ack: () => void) => void;
}

// The same events as the modifiers turn them, written out by hand.

/** After `socket.timeout()`: each ack gets an Error first. */
interface OutboundWithTimeout {
  ready: () => void;
  tick: (frame: number, label: string) => void;
  quiz: (question: string, strict: boolean, answer: (err: Error, guess: number, confidence: string) => void) => void;
  lookup: (key: string, exact: boolean, found: (err: Error, value: string) => void) => void;
  poke: (ack: (err: Error) => void) => void;
}

/** Broadcast: each ack gets the first argument of every recipient, as an array. */
interface OutboundBroadcast {
  ready: () => void;
  tick: (frame: number, label: string) => void;
  quiz: (question: string, strict: boolean, answer: (guesses: number[]) => void) => void;
  lookup: (key: string, exact: boolean, found: (values: string[]) => void) => void;
  poke: (ack: () => void) => void;
}

/** Broadcast with a timeout: the Error, then the array. */
interface OutboundBroadcastWithTimeout {
  ready: () => void;
  tick: (frame: number, label: string) => void;
  quiz: (question: string, strict: boolean, answer: (err: Error, guesses: number[]) => void) => void;
  lookup: (key: string, exact: boolean, found: (err: Error, values: string[]) => void) => void;
  poke: (ack: (err: Error) => void) => void;
}

/** Between servers. */
interface Cluster {
  ready: () => void;
  announce: (node: string, load: number) => void;
  census: (region: string, reply: (count: number) => void) => void;
}

/** The signature `emit` has for one event of a map. */
type EmitOf<Map extends EventsMap, Ev extends keyof Map> = (ev: Ev, ...args: Parameters<Map[Ev]>) => boolean;

declare const httpServer: ReturnType<typeof createServer>;

// ---------------------------------------------------------------- without event maps

{
  const io = new Server(httpServer);
  typeOf(io).is<Server<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, any>>();

  io.on('connection', (socket) => {
    typeOf(socket).is<Socket<DefaultEventsMap, DefaultEventsMap>>();
    socket.on('disconnect', (reason) => typeOf(reason).is<DisconnectReason>());
    socket.on('disconnecting', (reason, description) => {
      typeOf(reason).is<DisconnectReason>();
      typeOf(description).is<any>();
    });
    socket.on('error', (err) => typeOf(err).is<Error>());
    // Any other event: its arguments are `any`.
    socket.on('whatever', (first, second) => {
      typeOf(first).is<any>();
      typeOf(second).is<any>();
    });
    socket.emit('whatever', 1, 'two', [3], { four: 4 });
    socket.emit('nothing');
  });

  // Event names from an enum.
  enum Names {
    Connect = 'connection',
    Custom = 'custom',
  }
  io.on(Names.Connect, (socket) => {
    typeOf(socket).is<Socket<DefaultEventsMap, DefaultEventsMap>>();
    socket.on(Names.Custom, (value) => typeOf(value).is<any>());
  });

  io.emit('anything', 1, '2', [3]);
  io.emit('nothing');
  io.of('/other').emit('anything', io);
  io.send(1, '2', [3]);
  io.send();
  io.of('/other').send('x');

  // Promise-based emits resolve with `any`.
  void (async () => {
    typeOf(await io.timeout(1000).emitWithAck('anything', true, 'x')).is<any>();
    io.on('connection', async (socket) => {
      typeOf(await socket.emitWithAck('anything', 1)).is<any>();
      typeOf(await socket.timeout(10).emitWithAck('anything')).is<any>();
    });
  })();
  typeOf(io.to('room').emitWithAck('anything', 'x')).is<Promise<any>>();
  typeOf(io.to('room').emitWithAck<string>).is<(ev: string, ...args: any[]) => Promise<any>>();

  // Acks of untyped broadcasts.
  io.timeout(100).emit('anything', (err: Error | null, responses: unknown[]) => void [err, responses]);
  io.serverSideEmit('anything', 1, 2);
}

// ---------------------------------------------------------------- one map for both directions

{
  interface Both {
    move: (x: number, y: string, path: number[]) => void;
  }
  const io = new Server<Both>(httpServer);
  typeOf(io).is<Server<Both, Both>>();
  io.on('connection', (socket) => {
    typeOf(socket).is<Socket<Both, Both>>();
    socket.on('move', (x, y, path) => {
      typeOf(x).is<number>();
      typeOf(y).is<string>();
      typeOf(path).is<number[]>();
    });
    socket.emit('move', 1, 'a', [2]);
  });

  const strict = new Server<Both, Both, {}>(httpServer);
  // @ts-expect-error: with no server-side events, the server does not listen to client events
  strict.on('move', (x, y, path) => {});
  // @ts-expect-error: not a reserved event, and no server-side event of that name
  strict.on('unknown', (socket) => {});
  strict.on('connection', (socket) => {
    socket.on('move', (x, y, path) => {});
    // @ts-expect-error: a listener is required
    socket.on('move');
    // @ts-expect-error: one parameter too many
    socket.on('move', (x, y, path, extra) => {});
    // @ts-expect-error: event names are strings
    socket.on(2, 3);
    // @ts-expect-error: wrong argument types
    socket.emit('move', 'a', 1, []);
  });
}

// ---------------------------------------------------------------- separate listen and emit maps

{
  const io = new Server<Inbound, Outbound>(httpServer);
  typeOf(io).is<Server<Inbound, Outbound>>();

  io.on('connection', (socket) => {
    typeOf(socket).is<Socket<Inbound, Outbound>>();
    socket.on('ready', (...args) => typeOf(args).is<[]>());
    socket.on('chat', (text) => typeOf(text).is<string>());
    socket.on('vote', (pollId, choice, done) => {
      typeOf(pollId).is<string>();
      typeOf(choice).is<number>();
      typeOf(done).is<(accepted: boolean, total: number) => void>();
      done(true, 3);
    });
    // @ts-expect-error: `tick` is an event the server sends, not one it receives
    socket.on('tick', (frame, label) => {});
    // @ts-expect-error: `ready` has no arguments
    socket.on('ready', (value, other) => {});
    // @ts-expect-error: clients do not receive `chat`
    socket.emit('chat', 'hello');
  });
}

// ---------------------------------------------------------------- send()

{
  const io = new Server<Inbound, Outbound>();
  const nsp = io.of('/feed');
  // @ts-expect-error: Outbound has no `message` event
  io.send(1, '2', [3]);
  // @ts-expect-error: Outbound has no `message` event
  nsp.send(1, '2', [3]);
  // @ts-expect-error: Outbound has no `message` event
  io.send();
  // @ts-expect-error: Outbound has no `message` event
  nsp.send();

  const withMessage = new Server<{}, { message: (id: number, body: string, tags: string[]) => void }>();
  const feed = withMessage.of('/feed');
  withMessage.send(1, 'body', ['tag']);
  feed.send(1, 'body', ['tag']);
  // @ts-expect-error: `message` takes arguments
  withMessage.send();
  // @ts-expect-error: `message` takes arguments
  feed.send();
  // @ts-expect-error: wrong argument types
  withMessage.send(1, 2, ['tag']);
  // @ts-expect-error: wrong argument types
  feed.send(1, 2, ['tag']);
  withMessage.on('connection', (socket) => {
    socket.send(2, 'hi', []);
    socket.write(2, 'hi', []);
  });
}

// ---------------------------------------------------------------- broadcast operators

{
  const io = new Server<Inbound, Outbound>();
  const nsp = io.of('/');
  for (const emitter of [io, nsp]) {
    typeOf(emitter.to('r')).is<BroadcastOperator<OutboundBroadcast, any>>();
    typeOf(emitter.in('r')).is<BroadcastOperator<OutboundBroadcast, any>>();
    typeOf(emitter.except('r')).is<BroadcastOperator<OutboundBroadcast, any>>();
    typeOf(emitter.compress(true)).is<BroadcastOperator<OutboundBroadcast, any>>();
    typeOf(emitter.volatile).is<BroadcastOperator<OutboundBroadcast, any>>();
    typeOf(emitter.local).is<BroadcastOperator<OutboundBroadcast, any>>();
    typeOf(emitter.to('a').except('b').in('c').volatile.local).is<BroadcastOperator<OutboundBroadcast, any>>();
    typeOf(emitter.timeout(5)).is<BroadcastOperator<OutboundBroadcastWithTimeout, any>>();
    typeOf(emitter.timeout(5).timeout(5)).is<BroadcastOperator<OutboundBroadcastWithTimeout, any>>();
    typeOf(emitter.to('r').timeout(5)).is<BroadcastOperator<OutboundBroadcastWithTimeout, any>>();
  }

  io.on('connection', (socket) => {
    typeOf(socket.timeout(5)).is<Socket<Inbound, OutboundWithTimeout, DefaultEventsMap, any>>();
    typeOf(socket.timeout(5).timeout(5)).is<Socket<Inbound, OutboundWithTimeout, DefaultEventsMap, any>>();
    typeOf(socket.broadcast).is<BroadcastOperator<OutboundBroadcast, any>>();
    typeOf(socket.to('r')).is<BroadcastOperator<OutboundBroadcast, any>>();
    typeOf(socket.in('r')).is<BroadcastOperator<OutboundBroadcast, any>>();
    typeOf(socket.except('r')).is<BroadcastOperator<OutboundBroadcast, any>>();
    typeOf(socket.local).is<BroadcastOperator<OutboundBroadcast, any>>();
    typeOf(socket.volatile.broadcast).is<BroadcastOperator<OutboundBroadcast, any>>();
    typeOf(socket.timeout(5).broadcast).is<BroadcastOperator<OutboundBroadcastWithTimeout, any>>();
    typeOf(socket.broadcast.timeout(5)).is<BroadcastOperator<OutboundBroadcastWithTimeout, any>>();
    typeOf(socket.broadcast.timeout(5).timeout(5)).is<BroadcastOperator<OutboundBroadcastWithTimeout, any>>();

    // Events without an acknowledgement take no callback.
    socket.broadcast.emit('ready');
    socket.to('r').emit('ready');
    socket.except('r').emit('tick', 1, 'x');
    // @ts-expect-error: `ready` takes no argument, a callback neither
    socket.broadcast.emit('ready', () => {});
    // A broadcast's ack gets every recipient's first argument.
    socket.broadcast.timeout(10).emit('quiz', 'q', true, (err, guesses) => {
      typeOf(err).is<Error>();
      typeOf(guesses).is<number[]>();
    });
    socket.to('r').emit('lookup', 'k', false, (values) => typeOf(values).is<string[]>());
  });

  // emit's signature per event, after timeout()
  typeOf(io.timeout(0).emit<'ready'>).is<EmitOf<OutboundBroadcastWithTimeout, 'ready'>>();
  typeOf(io.timeout(0).emit<'tick'>).is<EmitOf<OutboundBroadcastWithTimeout, 'tick'>>();
  typeOf(io.timeout(0).emit<'quiz'>).is<EmitOf<OutboundBroadcastWithTimeout, 'quiz'>>();
  typeOf(io.timeout(0).emit<'lookup'>).is<EmitOf<OutboundBroadcastWithTimeout, 'lookup'>>();
  typeOf(io.timeout(0).emit<'poke'>).is<EmitOf<OutboundBroadcastWithTimeout, 'poke'>>();
  typeOf(io.to('r').emit<'quiz'>).is<EmitOf<OutboundBroadcast, 'quiz'>>();

  // emitWithAck: nothing without a timeout, then only the events with an ack.
  const noTimeout = io.in('r');
  isNever<Parameters<(typeof noTimeout)['emitWithAck']>[0]>();
  // @ts-expect-error: no timeout, no emitWithAck
  noTimeout.emitWithAck('quiz', 'q', true);
  // @ts-expect-error: `ready` takes no ack
  io.timeout(0).emitWithAck('ready');
  // @ts-expect-error: `tick` takes no ack
  io.timeout(0).emitWithAck('tick', 1, 'x');
  typeOf(io.timeout(0).emitWithAck<'poke'>).is<(ev: 'poke') => Promise<undefined>>();
  typeOf(io.timeout(0).emitWithAck<'lookup'>).is<(ev: 'lookup', key: string, exact: boolean) => Promise<string[]>>();
  typeOf(io.timeout(0).emitWithAck<'quiz'>).is<(ev: 'quiz', question: string, strict: boolean) => Promise<number[]>>();
  void (async () => {
    const guesses: number[] = await io.timeout(100).emitWithAck('quiz', 'q', false);
    // @ts-expect-error: the guesses are numbers
    const wrong: string[] = await io.timeout(100).emitWithAck('quiz', 'q', false);
    void [guesses, wrong];
  })();
}

// ---------------------------------------------------------------- emit() of the server, a namespace, a socket

{
  const io = new Server<Inbound, Outbound>();
  const nsp = io.of('/feed');
  typeOf(io.emit<'ready'>).is<EmitOf<Outbound, 'ready'>>();
  typeOf(nsp.emit<'ready'>).is<EmitOf<Outbound, 'ready'>>();
  typeOf(io.emit<'tick'>).is<EmitOf<Outbound, 'tick'>>();
  typeOf(nsp.emit<'tick'>).is<EmitOf<Outbound, 'tick'>>();
  io.emit('tick', 1, 'one');
  nsp.emit('ready');
  // Acknowledgements need timeout() on the server and namespaces:
  // @ts-expect-error: `quiz` takes an ack
  io.emit<'quiz'>;
  // @ts-expect-error: `lookup` takes an ack
  io.emit<'lookup'>;
  // @ts-expect-error: `poke` takes an ack
  io.emit<'poke'>;
  // @ts-expect-error: `quiz` takes an ack
  nsp.emit<'quiz'>;
  // @ts-expect-error: `lookup` takes an ack
  nsp.emit<'lookup'>;
  // @ts-expect-error: `poke` takes an ack
  nsp.emit<'poke'>;

  io.on('connection', (socket) => {
    typeOf(socket.emit<'ready'>).is<EmitOf<Outbound, 'ready'>>();
    typeOf(socket.emit<'tick'>).is<EmitOf<Outbound, 'tick'>>();
    typeOf(socket.emit<'quiz'>).is<EmitOf<Outbound, 'quiz'>>();
    typeOf(socket.emit<'lookup'>).is<EmitOf<Outbound, 'lookup'>>();
    typeOf(socket.emit<'poke'>).is<EmitOf<Outbound, 'poke'>>();
    typeOf(socket.timeout(1).emit<'quiz'>).is<EmitOf<OutboundWithTimeout, 'quiz'>>();
    socket.emit('quiz', 'q', true, (guess, confidence) => {
      typeOf(guess).is<number>();
      typeOf(confidence).is<string>();
    });
    socket.timeout(100).emit('lookup', 'k', true, (err, value) => {
      typeOf(err).is<Error>();
      typeOf(value).is<string>();
    });
    // @ts-expect-error: the ack is missing
    socket.emit('quiz', 'q', true);
    // @ts-expect-error: after timeout() the ack gets the Error first
    socket.timeout(100).emit('lookup', 'k', true, (value: string) => {});
  });
}

// ---------------------------------------------------------------- socket.emitWithAck()

{
  const io = new Server<Inbound, Outbound>();
  io.on('connection', async (socket) => {
    // @ts-expect-error: `ready` takes no ack
    socket.emitWithAck('ready');
    // @ts-expect-error: `tick` takes no ack
    socket.emitWithAck('tick', 1, 'x');
    typeOf(socket.emitWithAck<'poke'>).is<(ev: 'poke') => Promise<undefined>>();
    typeOf(socket.timeout(0).emitWithAck<'poke'>).is<(ev: 'poke') => Promise<undefined>>();
    typeOf(socket.emitWithAck<'lookup'>).is<(ev: 'lookup', key: string, exact: boolean) => Promise<string>>();
    typeOf(socket.emitWithAck<'quiz'>).is<(ev: 'quiz', question: string, strict: boolean) => Promise<number>>();
    typeOf(socket.timeout(0).emitWithAck<'lookup'>).is<(ev: 'lookup', key: string, exact: boolean) => Promise<string>>();
    typeOf(socket.timeout(0).emitWithAck<'quiz'>).is<(ev: 'quiz', question: string, strict: boolean) => Promise<number>>();
    // The ack's value, not the timeout's Error.
    const guess: number = await socket.timeout(1000).emitWithAck('quiz', 'q', true);
    const value: string = await socket.emitWithAck('lookup', 'k', false);
    // @ts-expect-error: the ack itself is not passed
    socket.emitWithAck('lookup', 'k', false, (found: string) => {});
    void [guess, value];
  });
}

// ---------------------------------------------------------------- server-side events

{
  interface Sent {
    ready: () => void;
    tick: (frame: number, label: string) => void;
  }
  const io = new Server<Inbound, Sent, Cluster>(httpServer);
  typeOf(io).is<Server<Inbound, Sent, Cluster>>();
  io.serverSideEmit('ready');
  io.serverSideEmit('announce', 'node-1', 0.5);
  io.of('/feed').serverSideEmit('announce', 'node-2', 0.1);
  // @ts-expect-error: wrong argument types
  io.serverSideEmit('announce', 1, 'node');
  // @ts-expect-error: not a server-side event
  io.serverSideEmit('chat', 'x');

  io.on('ready', (...args) => typeOf(args).is<[]>());
  io.on('announce', (node, load) => {
    typeOf(node).is<string>();
    typeOf(load).is<number>();
  });
  io.of('/feed').on('ready', (...args) => typeOf(args).is<[]>());
  io.of('/feed').on('announce', (node, load) => {
    typeOf(node).is<string>();
    typeOf(load).is<number>();
  });
  io.on('census', (...args) => typeOf(args).is<[string, (count: number) => void]>());
  io.on('census', (region, reply) => {
    typeOf(region).is<string>();
    typeOf(reply).is<(count: number) => void>();
  });

  // @ts-expect-error: `ready` takes no ack
  io.serverSideEmitWithAck('ready');
  // @ts-expect-error: `announce` takes no ack
  io.serverSideEmitWithAck('announce', 'node', 1);
  // One response per server, with the timeout's Error first.
  io.serverSideEmit('census', 'eu', (err, counts) => {
    typeOf(err).is<Error>();
    typeOf(counts).is<number[]>();
  });
  void (async () => {
    typeOf(await io.serverSideEmitWithAck('census', 'eu')).is<number[]>();
    typeOf(await io.of('/feed').serverSideEmitWithAck('census', 'us')).is<number[]>();
  })();
}

// ---------------------------------------------------------------- the adapter

{
  const io = new Server();
  const adapter = io.of('/').adapter;
  adapter.on('create-room', (room) => typeOf(room).is<string>());
  adapter.on('delete-room', (room) => typeOf(room).is<string>());
  adapter.on('join-room', (room, id) => {
    typeOf(room).is<string>();
    typeOf(id).is<string>();
  });
  adapter.on('leave-room', (room, id) => {
    typeOf(room).is<string>();
    typeOf(id).is<string>();
  });
  adapter.once('join-room', (room, id) => void [room, id]);
  typeOf(adapter.rooms).is<Map<string, Set<string>>>();
  typeOf(adapter.sids).is<Map<string, Set<string>>>();
  typeOf(io.sockets.adapter).is<typeof adapter>();
  // sio-rs offers the in-memory adapter only: socket.io's `adapter` option and
  // `io.adapter(...)` setter are refused, as they throw at run time.
  // @ts-expect-error: no custom adapters
  new Server({ adapter: () => adapter });
  // @ts-expect-error: no custom adapters
  io.adapter((nsp: unknown) => 'nope');
  typeOf(new (io.adapter())(io.sockets).rooms).is<Map<string, Set<string>>>();
}

// ---------------------------------------------------------------- sio-rs's `drain`

{
  // Reserved when the app's events have no `drain`...
  const io = new Server<Inbound, Outbound>();
  io.on('connection', (socket) => {
    socket.on('drain', (...args) => typeOf(args).is<[]>());
    // @ts-expect-error: sio-rs's drain has no arguments
    socket.on('drain', (bytes: number) => {});
  });
  // ...and the app's own event otherwise, as socket.io would have it.
  const own = new Server<{ drain: (tank: string) => void }>();
  own.on('connection', (socket) => socket.on('drain', (tank) => typeOf(tank).is<string>()));
  new Server().on('connection', (socket) => socket.on('drain', () => {}));
}
