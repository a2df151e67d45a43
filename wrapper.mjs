import io from './index.js';

export const { Server, Namespace, Socket } = io;
