'use strict';

const { IncomingMessage } = require('node:http');
const { parseQuery } = require('./query');

/**
 * The request of a WebSocket handshake the Rust listener served (`conn.request`), kept as
 * the one string Rust sent (the connection's addresses and the head as received). The
 * `http.IncomingMessage` is built when first needed: `socket.request` and
 * `socket.handshake` give that, and the request's usual fields read through to it.
 */
class AcceptedRequest {
  /** `text`: remote address, port, local address, port and the head, NUL-separated. */
  constructor(text) {
    this.text = text;
    this._message = undefined;
  }

  get headers() {
    return this.toIncomingMessage().headers;
  }

  get rawHeaders() {
    return this.toIncomingMessage().rawHeaders;
  }

  get method() {
    return this.toIncomingMessage().method;
  }

  get url() {
    return this.toIncomingMessage().url;
  }

  get _query() {
    return this.toIncomingMessage()._query;
  }

  get connection() {
    return this.socket;
  }

  /** The connection's addresses, as `net.Socket` names them. */
  get socket() {
    const [remoteAddress, remotePort, localAddress, localPort] = this.text.split('\0', 4);
    return {
      remoteAddress,
      remotePort: Number(remotePort),
      remoteFamily: remoteAddress.includes(':') ? 'IPv6' : 'IPv4',
      localAddress,
      localPort: Number(localPort),
      encrypted: false,
      destroyed: true,
    };
  }

  toIncomingMessage() {
    return (this._message ??= this._build());
  }

  _build() {
    const req = new IncomingMessage(this.socket);
    const head = this.text.split('\0')[4];
    const lines = head.split('\r\n');
    const [method, url] = lines[0].split(' ');
    Object.assign(req, { method, url, httpVersion: '1.1', httpVersionMajor: 1, httpVersionMinor: 1, upgrade: true, complete: true });
    const headers = {};
    const rawHeaders = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      rawHeaders.push(name, value);
      // Node's own rules for repeated headers (joined, `set-cookie` an array, some kept once).
      req._addHeaderLine(name, value, headers);
    }
    req.headers = headers;
    req.rawHeaders = rawHeaders;
    req._query = parseQuery(url);
    return req;
  }
}

module.exports = { AcceptedRequest };
