import io from './index.js';

export const { Server } = io;
