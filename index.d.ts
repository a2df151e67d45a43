// Public types of sio-rs. The Socket.IO API is being completed; these cover what exists.

import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { EventEmitter } from 'node:events';

export interface EngineOptions {
  pingTimeout?: number;
  pingInterval?: number;
  upgradeTimeout?: number;
  maxHttpBufferSize?: number;
  allowRequest?: (
    req: IncomingMessage,
    fn: (err: string | null | undefined, success: boolean) => void,
  ) => void;
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
  serveClient?: boolean;
  connectTimeout?: number;
}

export type EngineMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/** One Engine.IO session (`socket.conn`). */
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
  handleUpgrade(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void;
  attach(server: HttpServer, options?: AttachOptions): void;
  close(): this;
}

export declare class Server extends EventEmitter {
  constructor(opts?: Partial<ServerOptions>);
  constructor(srv: HttpServer | number, opts?: Partial<ServerOptions>);
  engine: Engine;
  httpServer: HttpServer;
  path(): string;
  path(value: string): this;
  attach(srv: HttpServer | number, opts?: Partial<ServerOptions>): this;
  listen(srv: HttpServer | number, opts?: Partial<ServerOptions>): this;
  close(callback?: (err?: Error) => void): Promise<void>;
}
