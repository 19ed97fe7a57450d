/*
 * duplex.js: the browser client of Duplex's session protocol, version 1 (docs/PROTOCOL.md).
 * A classic script without dependencies; it defines globalThis.Duplex = { RealtimeClient, version }.
 *
 *   const client = new Duplex.RealtimeClient('/realtime', { transport: 'auto' });
 *   client.addEventListener('message', (e) => show(e.data));      // a string, or an ArrayBuffer
 *   client.addEventListener('statechange', (e) => show(e.detail)); // { state, transport, reason, from, to }
 *   await client.connect();
 *   client.send('hello');                                          // or an ArrayBuffer, a Uint8Array
 *   await client.close();
 *
 * client.state is one of idle, connecting, connected, reconnecting, closed. A statechange event's
 * detail.state is one of
 *   connecting    negotiating a session (again, after session-lost)
 *   connected     the first transport is up (detail.transport)
 *   reconnecting  the transport dropped; another is opened after a backoff
 *   resumed       a transport is up again and the session goes on (client.state is connected)
 *   fallback      a transport did not work for this session (detail.from, detail.to)
 *   session-lost  the server no longer knows the session (404/410); detail.unacknowledged holds the
 *                 messages it never acknowledged; a new session follows if renewLostSession
 *   closed        close() was called (reason 'client'), or the server ended the session (its reason)
 *
 * Channels (PROTOCOL §10) ride the same session, numbered and acknowledged with the messages:
 *
 *   const room = client.subscribe('chat/lobby', { history: 50, info: { name: 'Ada' } });
 *   room.addEventListener('publication', (e) => show(e.detail.data));  // { channel, seq, epoch, data, from }
 *   room.addEventListener('join', (e) => show(e.detail.member));        // { id, info }; also leave
 *   await room.ready;                                                   // the first subscribed detail
 *   await room.publish('hello');                                        // { seq, epoch }, published once
 *
 * A Subscription's events: subscribed (detail result new/resumed/gap/reset, epoch, latest, missing,
 * presence), publication, gap (missing [first, last]), join, leave, unsubscribed (reason), refused
 * (error, message). After a session is lost, every subscription subscribes again from its cursor
 * (the last publication it delivered) before anything else the application queued, and publishes
 * not yet answered go again with their idempotency keys; a publication at or below the cursor is
 * never delivered twice.
 */
(function (root) {
  'use strict';

  /** The protocol version this client speaks (the v of every request). */
  const VERSION = 1;
  const TRANSPORTS = ['websocket', 'sse', 'long-polling', 'polling'];
  const DEFAULTS = {
    transport: 'auto',
    openTimeoutMs: 5000,
    reconnectDelayMs: 500,
    maxReconnectDelayMs: 10000,
    pollIntervalMs: null,
    maxOfflineMessages: 1000,
    renewLostSession: true,
    closeTimeoutMs: 5000,
  };

  // docs/PROTOCOL.md §2: what a server that leaves a field out means.
  const NEGOTIATE_DEFAULTS = { heartbeatMs: 15000, resumeWindowMs: 120000, pollHoldMs: 15000, pollIntervalMs: 2000 };
  const LIMIT_DEFAULTS = { maxMessageBytes: 1048576, maxSendBytes: 1048576, maxQueuedMessages: 1000, maxQueuedBytes: 4194304 };

  /** §3: the first byte of a binary message envelope on WebSocket ('m'). */
  const BINARY_ENVELOPE = 0x6d;
  /** §3: a varint of at most 8 bytes. */
  const MAX_VARINT_BYTES = 8;
  /** Room left in a send body for the acknowledgement that closes it. */
  const ACK_ROOM = 48;

  const utf8 = new TextEncoder();

  /** §10: the largest presence info, encoded. */
  const MAX_INFO_BYTES = 1024;
  /** §10: a channel's name. */
  const CHANNEL_NAME = /^[A-Za-z0-9_\-.@][A-Za-z0-9_\-.:@/]{0,127}$/;

  /** §10: a random id of this client (96 bits, base64url) that starts its idempotency keys. */
  function randomClientId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function isCount(value, min) {
    return Number.isSafeInteger(value) && value >= min;
  }

  function clientError(code, message) {
    const error = new Error(message);
    error.code = code;
    return error;
  }

  // --- payload codecs --------------------------------------------------------------------------

  /** RFC 4648 §4 base64, with padding. */
  function toBase64(bytes) {
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  function fromBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  /** §3: 0x6D, the number as an unsigned LEB128 varint, then the payload as it is. */
  function writeBinaryEnvelope(sequence, payload) {
    const header = [BINARY_ENVELOPE];
    let rest = sequence;
    while (rest >= 0x80) {
      header.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    header.push(rest);
    const frame = new Uint8Array(header.length + payload.length);
    frame.set(header);
    frame.set(payload, header.length);
    return frame;
  }

  function readBinaryEnvelope(buffer) {
    const bytes = new Uint8Array(buffer);
    if (bytes.length < 2 || bytes[0] !== BINARY_ENVELOPE) return null;
    let sequence = 0;
    let scale = 1;
    let i = 1;
    for (;;) {
      if (i >= bytes.length || i > MAX_VARINT_BYTES) return null;
      const b = bytes[i++];
      sequence += (b & 0x7f) * scale;
      scale *= 0x80;
      if ((b & 0x80) === 0) break;
    }
    if (!isCount(sequence, 1)) return null;
    return { t: 'm', s: sequence, data: buffer.slice(i) };
  }

  /** A JSON envelope checked as §3 says; unknown fields and types pass (they are ignored). Null when malformed. */
  function checkEnvelope(e) {
    if (e === null || typeof e !== 'object' || Array.isArray(e) || typeof e.t !== 'string') return null;
    if (e.a !== undefined && !isCount(e.a, 0)) return null;
    switch (e.t) {
      case 'm': {
        if (!isCount(e.s, 1) || (typeof e.d === 'string') === (typeof e.b === 'string')) return null;
        let data = e.d;
        if (data === undefined) {
          try {
            data = fromBase64(e.b).buffer;
          } catch (_) {
            return null;
          }
        }
        return { t: 'm', s: e.s, a: e.a, data };
      }
      case 'a':
        return e.a === undefined ? null : e;
      case 'o':
        return e.a === undefined || (e.w !== undefined && !isCount(e.w, 0)) ? null : e;
      case 'c':
        return e.r === undefined || typeof e.r === 'string' ? e : null;
      case 'ch':
        return checkChannelEnvelope(e);
      default:
        return e;
    }
  }

  /** §10, server → client: a ch envelope with its op and channel; a publication's payload decoded. Null when malformed. */
  function checkChannelEnvelope(e) {
    if (!isCount(e.s, 1) || typeof e.op !== 'string' || typeof e.ch !== 'string') return null;
    if (e.r !== undefined && !isCount(e.r, 1)) return null;
    if (e.op === 'p') {
      if (!isCount(e.q, 1) || typeof e.e !== 'string' || (typeof e.d === 'string') === (typeof e.b === 'string')) return null;
      let data = e.d;
      if (data === undefined) {
        try {
          data = fromBase64(e.b).buffer;
        } catch (_) {
          return null;
        }
      }
      return Object.assign({}, e, { data });
    }
    return e;
  }

  function readJsonEnvelope(text) {
    try {
      return checkEnvelope(JSON.parse(text));
    } catch (_) {
      return null;
    }
  }

  // --- HTTP --------------------------------------------------------------------------------------

  /**
   * One request with fetch, bounded by timeoutMs and by signal. Never throws: a network failure,
   * a time-out or an abort is status 0 (timedOut says which).
   */
  async function request(method, url, body, timeoutMs, signal) {
    const controller = new AbortController();
    let timedOut = false;
    const abort = () => controller.abort();
    const timer = setTimeout(() => { timedOut = true; abort(); }, timeoutMs);
    if (signal) {
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
    }
    try {
      const init = { method, cache: 'no-store', signal: controller.signal };
      if (body !== undefined) {
        // §4: text/plain keeps a cross-origin send a simple request (no preflight).
        init.body = body;
        init.headers = { 'Content-Type': 'text/plain;charset=UTF-8' };
      }
      const response = await fetch(url, init);
      const text = await response.text();
      let json = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch (_) {
        json = null;
      }
      return { status: response.status, json, timedOut: false };
    } catch (_) {
      return { status: 0, json: null, timedOut };
    } finally {
      clearTimeout(timer);
      if (signal) signal.removeEventListener('abort', abort);
    }
  }

  /** §5, §7: why a refusal was given, as an application reads it. */
  function refusalReason(answer) {
    const json = answer.json || {};
    if (typeof json.reason === 'string') return json.reason;
    if (typeof json.error === 'string') return json.error;
    return answer.status ? `status ${answer.status}` : 'network';
  }

  function isSessionGone(status) {
    return status === 404 || status === 410;
  }

  // --- transports ------------------------------------------------------------------------------
  // Each one opens one transport connection for the client and reports to it: opened (the o
  // envelope), envelopes, and failed (before or after o). The client decides what follows.

  class Transport {
    constructor(client, name) {
      this.client = client;
      this.name = name;
      this.opened = false;
      this.closed = false;
      this.lastReceived = Date.now();
      this.openTimer = null;
    }

    /** Fails the open when no o arrives within openTimeoutMs (§8: a buffering gateway delivers nothing). */
    armOpenTimer() {
      this.openTimer = setTimeout(() => this.fail('no open envelope in time', { timeout: true }), this.client._options.openTimeoutMs);
    }

    /** An envelope read from a streaming transport; the first must be o (§4). */
    receive(envelope) {
      if (this.closed) return;
      this.lastReceived = Date.now();
      if (envelope === null) {
        this.fail('malformed envelope', {});
      } else if (!this.opened) {
        if (envelope.t !== 'o') {
          this.fail('the first envelope is not o', {});
          return;
        }
        this.opened = true;
        clearTimeout(this.openTimer);
        this.client._transportOpened(this, envelope);
      } else {
        this.client._onEnvelope(this, envelope);
      }
    }

    fail(reason, info) {
      if (!this.closed) this.client._transportFailed(this, reason, info);
    }

    close() {
      this.closed = true;
      clearTimeout(this.openTimer);
    }
  }

  /** §4 WebSocket: one envelope per frame both ways; binary messages as binary envelopes. */
  class WebSocketTransport extends Transport {
    constructor(client) {
      super(client, 'websocket');
      this.socket = null;
    }

    open(ack) {
      const url = this.client._url('ws', ack).replace(/^http/, 'ws');
      try {
        this.socket = new WebSocket(url);
      } catch (_) {
        setTimeout(() => this.fail('cannot open a WebSocket', {}), 0);
        return;
      }
      const socket = this.socket;
      socket.binaryType = 'arraybuffer';
      this.armOpenTimer();
      socket.onmessage = (event) =>
        this.receive(typeof event.data === 'string' ? readJsonEnvelope(event.data) : readBinaryEnvelope(event.data));
      // §8: an upgrade refused (any status but 101) or a connection that fails before o shows as a close.
      socket.onclose = (event) => this.fail(`closed (${event.code}${event.reason ? ' ' + event.reason : ''})`, {});
      socket.onerror = () => {};
    }

    send(data) {
      if (this.socket && this.socket.readyState === 1) this.socket.send(data);
    }

    close() {
      super.close();
      const socket = this.socket;
      if (!socket) return;
      socket.onmessage = socket.onclose = socket.onerror = null;
      if (socket.readyState <= 1) socket.close(1000);
    }
  }

  /**
   * §4 Server-Sent Events with the browser's EventSource; the upstream is send. The EventSource
   * is not left to reconnect by itself: on any error it is closed, and the client opens the next
   * stream with ack=N, the highest number it received in order, so that every acknowledgement is
   * its own and every new stream goes through the client's backoff and fallback.
   *
   * An EventSource hides comments, so the server's heartbeat (': h') cannot be seen, and a stream
   * silent for twice the interval may be dead or merely quiet (§6). It is then replaced without a
   * drop: a second stream opens with ack=N, and once its o arrives the first one is closed (the
   * server moves the session to the newer stream; numbers seen on both are duplicates). Only when
   * the replacement fails does the transport fail.
   */
  class EventStreamTransport extends Transport {
    constructor(client) {
      super(client, 'sse');
      this.source = null;
      this.replacement = null;
      this.replacementTimer = null;
    }

    open(ack) {
      this.source = this.listen(new EventSource(this.client._url('sse', ack) + '&hb=event'));
      this.armOpenTimer();
    }

    listen(source) {
      source.onmessage = (event) => this.receive(readJsonEnvelope(event.data));
      source.onerror = () => {
        source.close();
        this.fail(this.opened ? 'the event stream ended' : 'the event stream did not open', {});
      };
      return source;
    }

    /** Opens a second stream to replace a silent one (see above). */
    replace() {
      if (this.replacement || this.closed || !this.opened) return;
      const fresh = new EventSource(this.client._url('sse', this.client._received) + '&hb=event');
      this.replacement = fresh;
      // The server ends the old stream when the new one attaches, maybe before the new o is here.
      const old = this.source;
      old.onerror = () => old.close();
      const failed = (reason) => this.fail(reason, {});
      this.replacementTimer = setTimeout(() => failed('no open envelope in time on the replacement stream'), this.client._options.openTimeoutMs);
      fresh.onerror = () => failed('the replacement event stream did not open');
      fresh.onmessage = (event) => {
        const envelope = readJsonEnvelope(event.data);
        if (envelope === null || envelope.t !== 'o') {
          failed('the first envelope of the replacement stream is not o');
          return;
        }
        clearTimeout(this.replacementTimer);
        this.replacement = null;
        this.forget(this.source);
        this.source = this.listen(fresh);
        this.receive(envelope);
      };
    }

    forget(source) {
      if (!source) return;
      source.onmessage = source.onerror = null;
      source.close();
    }

    close() {
      super.close();
      clearTimeout(this.replacementTimer);
      this.forget(this.replacement);
      this.forget(this.source);
    }
  }

  /**
   * §4 long polling and short polling; the upstream is send. The first poll of every opening asks
   * wait=0, so that o comes at once rather than after a hold; long polling then polls again as
   * soon as an answer arrives, short polling after its interval (at once while o says more wait).
   */
  class PollTransport extends Transport {
    constructor(client, name) {
      super(client, name);
      this.long = name === 'long-polling';
      this.controller = new AbortController();
      this.nextTimer = null;
    }

    open() {
      this.poll(true);
    }

    async poll(atOnce) {
      const client = this.client;
      const session = client._session;
      const ack = client._received;
      const timeoutMs = !this.opened
        ? client._options.openTimeoutMs
        : session.pollHoldMs + session.heartbeatMs;
      const url = client._url('poll', ack) + (atOnce ? '&wait=0' : '');
      const answer = await request('GET', url, undefined, timeoutMs, this.controller.signal);
      if (this.closed) return;
      if (answer.status !== 200 || !Array.isArray(answer.json)) {
        const known = answer.status !== 0 && !(answer.status === 200);
        this.fail(answer.status ? `poll answered ${answer.status}` : 'poll failed', {
          status: known ? answer.status : undefined,
          timeout: answer.timedOut && !this.opened,
          answer,
        });
        return;
      }
      this.lastReceived = Date.now();
      client._ackTold = Math.max(client._ackTold, ack);
      let waiting = 0;
      let messages = 0;
      for (const raw of answer.json) {
        if (this.closed) return;
        const envelope = checkEnvelope(raw);
        if (envelope && envelope.t === 'o') waiting = envelope.w || 0;
        if (envelope && (envelope.t === 'm' || envelope.t === 'ch')) messages++;
        this.receive(envelope);
      }
      if (this.closed) return;
      // [] is a poll a newer one replaced; a poll with more waiting than it carried asks again.
      if (this.long || waiting > messages || answer.json.length === 0) {
        this.poll(!this.long || !this.opened);
      } else {
        this.nextTimer = setTimeout(() => this.poll(true), client._pollIntervalMs());
      }
    }

    close() {
      super.close();
      clearTimeout(this.nextTimer);
      this.controller.abort();
    }
  }

  function createTransport(client, name) {
    switch (name) {
      case 'websocket': return new WebSocketTransport(client);
      case 'sse': return new EventStreamTransport(client);
      default: return new PollTransport(client, name);
    }
  }

  function isSupported(name) {
    switch (name) {
      case 'websocket': return typeof WebSocket === 'function';
      case 'sse': return typeof EventSource === 'function';
      case 'long-polling':
      case 'polling': return typeof fetch === 'function';
      default: return false;
    }
  }

  // --- the client --------------------------------------------------------------------------------

  /**
   * One session (docs/PROTOCOL.md) over whichever transport works: messages both ways, each
   * delivered once and in order across drops and changes of transport.
   */
  class RealtimeClient extends EventTarget {
    /**
     * @param {string|URL} url the endpoint's base path, e.g. '/realtime' or 'https://example.org/realtime'
     * @param {object} [options] transport ('auto' or one of websocket, sse, long-polling, polling),
     *   openTimeoutMs, reconnectDelayMs, maxReconnectDelayMs, pollIntervalMs (null: the server's),
     *   maxOfflineMessages, renewLostSession, closeTimeoutMs
     */
    constructor(url, options) {
      super();
      const base = typeof location !== 'undefined' ? new URL(String(url), location.href) : new URL(String(url));
      base.search = '';
      base.hash = '';
      this._base = base.href.replace(/\/+$/, '');
      const settings = Object.assign({}, DEFAULTS, options || {});
      if (settings.transport !== 'auto' && !TRANSPORTS.includes(settings.transport)) {
        throw new TypeError(`transport must be 'auto' or one of ${TRANSPORTS.join(', ')}`);
      }
      this._options = settings;
      this._state = 'idle';
      this._transport = null;   // the transport open or opening now
      this._live = false;       // whether it has received o
      this._plan = null;        // the transports this opening tries, and which one it is at
      this._lastWorking = null;
      this._attempt = 0;        // reconnect attempts since a transport was last up
      this._retryTimer = null;
      this._watchTimer = null;
      this._epoch = 0;          // bumped on teardown: late answers of an older round are dropped
      this._connecting = null;
      this._closing = null;
      this._drained = null;
      this._clientId = randomClientId();
      this._keys = 0;           // publications keyed so far: a key is clientId-N (§10)
      this._requestIds = 0;     // r of every channel request, unique for this client's life
      this._subscriptions = new Map(); // channel → Subscription
      this._requests = new Map();      // r → a channel request not yet answered, in the order made
      this._resetSession();
    }

    /** idle, connecting, connected, reconnecting or closed. */
    get state() { return this._state; }

    /** The transport carrying the session now (websocket, sse, long-polling, polling), or null. */
    get transport() { return this._live ? this._transport.name : null; }

    /** The session id while there is a session; it is the session's secret (§1): do not log it. */
    get sessionId() { return this._session ? this._session.id : null; }

    /** Negotiates a session and opens a transport; resolves once the first transport is up. */
    connect() {
      if (this._connecting) return this._connecting.promise;
      if (this._closing) return this._closing.then(() => this.connect());
      if (this._state !== 'idle' && this._state !== 'closed') return Promise.resolve();
      let resolve;
      let reject;
      const promise = new Promise((yes, no) => { resolve = yes; reject = no; });
      this._connecting = { promise, resolve, reject };
      this._emit('connecting', {});
      this._negotiate();
      return promise;
    }

    /**
     * Sends a text (string) or binary (ArrayBuffer, typed array) message. It is numbered and kept
     * until the server acknowledges it; while no transport is up it waits in the offline queue.
     * Throws when the client is closed, the message is over the negotiated maxMessageBytes, or
     * the offline queue is full.
     */
    send(data) {
      if (this._state === 'closed' || this._closing) throw clientError('closed', 'the client is closed');
      const entry = {};
      let size;
      if (typeof data === 'string') {
        if (typeof data.isWellFormed === 'function' && !data.isWellFormed()) {
          throw new TypeError('a text message must be well-formed UTF-16 (no lone surrogates)');
        }
        entry.text = data;
        size = utf8.encode(data).length;
      } else if (data instanceof ArrayBuffer) {
        entry.bytes = new Uint8Array(data.slice(0));
        size = entry.bytes.length;
      } else if (ArrayBuffer.isView(data)) {
        entry.bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
        size = entry.bytes.length;
      } else {
        throw new TypeError('a message is a string, an ArrayBuffer or a typed array');
      }
      if (this._session && size > this._session.limits.maxMessageBytes) {
        throw clientError('too-large', `a message is at most ${this._session.limits.maxMessageBytes} bytes`);
      }
      if (!this._live && this._outbox.length >= this._offlineLimit()) {
        throw clientError('queue-full', `the offline queue holds at most ${this._offlineLimit()} messages`);
      }
      entry.s = this._nextSeq++;
      this._outbox.push(entry);
      if (this._live) this._pushUp();
    }

    /**
     * Subscribes to a channel (§10) and returns its Subscription; the same one while subscribed.
     * @param {string} channel 1 to 128 of A-Z a-z 0-9 _ - . : @ /, not starting with : or /
     * @param {object} [options] history (how many of the latest publications first), info (any
     *   JSON value the others see in presence), from ({ epoch, seq }: resume after that publication)
     */
    subscribe(channel, options) {
      if (this._state === 'closed' || this._closing) throw clientError('closed', 'the client is closed');
      if (typeof channel !== 'string' || !CHANNEL_NAME.test(channel)) {
        throw new TypeError('a channel name is 1 to 128 of A-Z a-z 0-9 _ - . : @ /, not starting with : or /');
      }
      const existing = this._subscriptions.get(channel);
      if (existing) return existing;
      const subscription = new Subscription(this, channel, options || {});
      this._subscriptions.set(channel, subscription);
      this._sendSubscribe(subscription);
      return subscription;
    }

    /**
     * Publishes on a channel (no subscription needed): a string as text, an ArrayBuffer or a typed
     * array as binary. Resolves with { seq, epoch } once the channel has numbered it; a publish
     * whose session was lost goes again on the next one with the same key, and is published once.
     */
    publish(channel, data) {
      try {
        if (this._state === 'closed' || this._closing) throw clientError('closed', 'the client is closed');
        if (typeof channel !== 'string' || !CHANNEL_NAME.test(channel)) {
          throw new TypeError('a channel name is 1 to 128 of A-Z a-z 0-9 _ - . : @ /, not starting with : or /');
        }
        const fields = { k: `${this._clientId}-${++this._keys}` };
        let size;
        if (typeof data === 'string') {
          if (typeof data.isWellFormed === 'function' && !data.isWellFormed()) {
            throw new TypeError('a text publication must be well-formed UTF-16 (no lone surrogates)');
          }
          fields.d = data;
          size = utf8.encode(data).length;
        } else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
          const bytes = data instanceof ArrayBuffer
            ? new Uint8Array(data)
            : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
          fields.b = toBase64(bytes);
          size = bytes.length;
        } else {
          throw new TypeError('a publication is a string, an ArrayBuffer or a typed array');
        }
        if (this._session && size > this._session.limits.maxMessageBytes) {
          throw clientError('too-large', `a publication is at most ${this._session.limits.maxMessageBytes} bytes`);
        }
        if (!this._live && this._outbox.length >= this._offlineLimit()) {
          throw clientError('queue-full', `the offline queue holds at most ${this._offlineLimit()} messages`);
        }
        return this._request('pub', channel, fields, null).then((answer) => ({ seq: answer.q, epoch: answer.e }));
      } catch (error) {
        return Promise.reject(error);
      }
    }

    /**
     * Ends the session: waits (up to closeTimeoutMs) until the server has acknowledged everything
     * sent (and answered every publish), then tells the server (§5) and closes.
     */
    close() {
      if (this._closing) return this._closing;
      if (this._state === 'closed' || this._state === 'idle') {
        this._state = 'closed';
        return Promise.resolve();
      }
      this._closing = (async () => {
        if (!this._isDrained() && this._session) await this._drain(this._options.closeTimeoutMs);
        const session = this._session;
        this._teardown();
        if (session) {
          await request('POST', this._url('close'), undefined, this._options.closeTimeoutMs);
        }
        this._resetSession();
        this._finish('client', {});
        this._closing = null;
      })();
      return this._closing;
    }

    // --- session ---------------------------------------------------------------------------------

    _resetSession() {
      this._session = null;
      this._outbox = [];        // sent, not yet acknowledged: numbers _acked + 1 ... _nextSeq - 1, in order
      this._nextSeq = 1;
      this._acked = 0;          // the highest of our numbers the server acknowledged
      this._received = 0;       // the highest server number delivered in order
      this._ackTold = 0;        // the highest acknowledgement the server has been told
      this._everUp = false;
      this._wsSentTo = 0;
      this._sending = null;
      this._sendFailures = 0;
      this._sendRetry = null;
      this._lastSendAt = 0;
      this._ackTimer = null;
    }

    _url(route, ack) {
      let url = `${this._base}/${route}?v=${VERSION}`;
      if (this._session) url += `&session=${encodeURIComponent(this._session.id)}`;
      if (ack !== undefined) url += `&ack=${ack}`;
      return url;
    }

    _offlineLimit() {
      const negotiated = this._session ? this._session.limits.maxQueuedMessages : Infinity;
      return Math.min(this._options.maxOfflineMessages, negotiated);
    }

    _pollIntervalMs() {
      return this._options.pollIntervalMs != null ? this._options.pollIntervalMs : this._session.pollIntervalMs;
    }

    async _negotiate() {
      const epoch = this._epoch;
      const answer = await request('POST', `${this._base}/negotiate?v=${VERSION}`, undefined, this._options.openTimeoutMs);
      if (epoch !== this._epoch) return;
      const json = answer.json;
      if (answer.status === 200 && json && typeof json.session === 'string' && Array.isArray(json.transports)) {
        const session = { id: json.session, transports: json.transports, limits: {} };
        for (const key of Object.keys(NEGOTIATE_DEFAULTS)) {
          session[key] = isCount(json[key], 1) ? json[key] : NEGOTIATE_DEFAULTS[key];
        }
        const limits = json.limits || {};
        for (const key of Object.keys(LIMIT_DEFAULTS)) {
          session.limits[key] = isCount(limits[key], 1) ? limits[key] : LIMIT_DEFAULTS[key];
        }
        this._session = session;
        this._openFrom(this._candidates(), 0);
      } else if (answer.status >= 400 && answer.status < 500) {
        // A refusal (origin, version, the accept hook) does not change by asking again.
        this._finish(refusalReason(answer), {});
      } else {
        this._retryLater(() => this._negotiate());
      }
    }

    /** §8: the server's transports in its order (or only the pinned one), the last that worked first. */
    _candidates() {
      if (this._options.transport !== 'auto') return [this._options.transport];
      const offered = this._session.transports.filter((name) => TRANSPORTS.includes(name) && isSupported(name));
      const i = offered.indexOf(this._lastWorking);
      return i <= 0 ? offered : [offered[i]].concat(offered.slice(i + 1), offered.slice(0, i));
    }

    _openFrom(list, index) {
      if (list.length === 0) {
        this._finish('no-transport', {});
        return;
      }
      if (index >= list.length) {
        this._retryLater(() => this._openFrom(this._candidates(), 0));
        return;
      }
      this._plan = { list, index };
      const transport = createTransport(this, list[index]);
      this._transport = transport;
      this._live = false;
      transport.open(this._received);
    }

    /** A backoff with full jitter (§8): a random time up to reconnectDelayMs, doubling up to maxReconnectDelayMs. */
    _retryLater(then) {
      const cap = Math.min(this._options.maxReconnectDelayMs, this._options.reconnectDelayMs * Math.pow(2, this._attempt));
      this._attempt++;
      const epoch = this._epoch;
      clearTimeout(this._retryTimer);
      this._retryTimer = setTimeout(() => {
        this._retryTimer = null;
        if (epoch === this._epoch) then();
      }, Math.random() * cap);
    }

    _transportOpened(transport, open) {
      if (transport !== this._transport) return;
      this._live = true;
      this._attempt = 0;
      this._lastWorking = transport.name;
      transport.lastReceived = Date.now();
      // §4: the server has our messages up to open.a; everything after goes (again), before anything newer.
      this._applyAck(open.a);
      this._watch(transport);
      if (transport.name === 'websocket') {
        this._wsSentTo = this._acked;
        this._flushWebSocket();
      } else {
        this._kickSender(false);
      }
      this._emit(this._everUp ? 'resumed' : 'connected', {});
      this._everUp = true;
      if (this._connecting) {
        this._connecting.resolve();
        this._connecting = null;
      }
    }

    async _transportFailed(transport, reason, info) {
      if (transport !== this._transport) return;
      const wasLive = this._live;
      this._dropTransport();
      if (info.status !== undefined && isSessionGone(info.status)) {
        this._sessionLost(refusalReason(info.answer));
        return;
      }
      if (wasLive) {
        this._emit('reconnecting', { reason, transport: transport.name });
        this._retryLater(() => this._openFrom(this._candidates(), 0));
        return;
      }
      if (!info.timeout && info.status === undefined) {
        // A WebSocket or an EventSource that failed shows no status: an acknowledgement alone on
        // send tells a session the server no longer knows (404/410) from a transport that does not work.
        const epoch = this._epoch;
        const probe = await request('POST', this._url('send'), `[{"t":"a","a":${this._received}}]`, this._options.openTimeoutMs);
        if (epoch !== this._epoch || this._transport !== null) return;
        if (isSessionGone(probe.status)) {
          this._sessionLost(refusalReason(probe));
          return;
        }
        if (probe.status !== 200) {
          this._retryLater(() => this._openFrom(this._candidates(), 0));
          return;
        }
      }
      const { list, index } = this._plan;
      const next = index + 1 < list.length ? list[index + 1] : null;
      this._emit('fallback', { from: transport.name, to: next, reason, transport: transport.name });
      if (next !== null) this._openFrom(list, index + 1);
      else this._retryLater(() => this._openFrom(this._candidates(), 0));
    }

    _dropTransport() {
      if (this._transport) this._transport.close();
      this._transport = null;
      this._live = false;
      clearInterval(this._watchTimer);
      this._watchTimer = null;
      clearTimeout(this._ackTimer);
      this._ackTimer = null;
      this._stopSender();
    }

    _teardown() {
      this._epoch++;
      clearTimeout(this._retryTimer);
      this._retryTimer = null;
      this._dropTransport();
    }

    _sessionLost(reason) {
      const unacknowledged = appMessages(this._outbox);
      this._teardown();
      this._resetSession();
      // §10.2: every subscription again from its cursor, then the publishes not yet answered (same
      // keys), all before anything the application sends from now on.
      if (this._options.renewLostSession && !this._closing) this._renewChannels();
      this._emit('session-lost', { reason, unacknowledged });
      if (this._options.renewLostSession && !this._closing) {
        this._emit('connecting', { reason });
        this._negotiate();
      } else {
        this._finish(reason, {});
      }
    }

    _finish(reason, extra) {
      this._teardown();
      this._endChannels(reason);
      if (this._drained) this._drained();
      if (this._connecting) {
        this._connecting.reject(clientError('closed', `closed before a transport was up: ${reason}`));
        this._connecting = null;
      }
      if (this._state !== 'closed') this._emit('closed', Object.assign({ reason }, extra));
    }

    /** Within the interval: a transport silent for twice the heartbeat is dropped (§6); on SSE, an acknowledgement after each silent interval. */
    _watch(transport) {
      const session = this._session;
      const silentMs = 2 * session.heartbeatMs + (transport.name === 'polling' ? this._pollIntervalMs() : 0);
      clearInterval(this._watchTimer);
      this._watchTimer = setInterval(() => {
        const now = Date.now();
        if (now - transport.lastReceived > silentMs) {
          if (transport.name === 'sse') transport.replace();
          else transport.fail('silent', {});
        } else if (transport.name === 'sse' && now - this._lastSendAt >= session.heartbeatMs) {
          this._kickSender(true);
        }
      }, Math.max(50, session.heartbeatMs / 4));
    }

    // --- downstream ------------------------------------------------------------------------------

    _onEnvelope(transport, envelope) {
      if (transport !== this._transport || !this._live) return;
      switch (envelope.t) {
        case 'm':
          if (envelope.a !== undefined) this._applyAck(envelope.a);
          // §4: a number seen is a duplicate (a retry); a larger one than the next is a gap.
          if (envelope.s <= this._received) return;
          if (envelope.s > this._received + 1) {
            transport.fail('sequence-gap', {});
            return;
          }
          this._received = envelope.s;
          this._scheduleAck();
          this.dispatchEvent(new MessageEvent('message', { data: envelope.data }));
          return;
        case 'a':
        case 'o':
          this._applyAck(envelope.a);
          return;
        case 'ch':
          if (envelope.a !== undefined) this._applyAck(envelope.a);
          if (envelope.s <= this._received) return;
          if (envelope.s > this._received + 1) {
            transport.fail('sequence-gap', {});
            return;
          }
          this._received = envelope.s;
          this._scheduleAck();
          this._onChannel(envelope);
          return;
        case 'c': {
          const unacknowledged = appMessages(this._outbox);
          this._resetSession();
          this._finish(envelope.r || 'closed', { unacknowledged });
          return;
        }
        default:
          // h (a heartbeat), and types a later version adds.
      }
    }

    /** §4: acknowledge within a heartbeat, piggybacked where possible; here as soon as the burst is read. */
    _scheduleAck() {
      // §4 lets an acknowledgement wait up to a heartbeat: one alone waits a little (a quarter of
      // the interval, at most 250 ms) for more messages to cover, or goes at once after a burst;
      // acknowledging each message alone would cost a frame each on WebSocket and a POST each on SSE.
      const burst = Math.max(1, Math.min(64, Math.floor(this._session.limits.maxQueuedMessages / 4)));
      if (this._received - this._ackTold >= burst) {
        clearTimeout(this._ackTimer);
        this._ackTimer = null;
        this._sendAck();
        return;
      }
      if (this._ackTimer !== null) return;
      this._ackTimer = setTimeout(() => {
        this._ackTimer = null;
        this._sendAck();
      }, Math.min(250, this._session.heartbeatMs / 4));
    }

    _sendAck() {
      if (!this._live || this._received <= this._ackTold) return;
      if (this._transport.name === 'websocket') {
        this._transport.send(`{"t":"a","a":${this._received}}`);
        this._ackTold = this._received;
      } else if (this._transport.name === 'sse') {
        this._kickSender(false);
      }
      // Long and short polling: the next poll carries the acknowledgement.
    }

    _applyAck(ack) {
      const top = Math.min(ack, this._nextSeq - 1);
      if (top <= this._acked) return;
      this._acked = top;
      let drop = 0;
      while (drop < this._outbox.length && this._outbox[drop].s <= top) drop++;
      this._outbox.splice(0, drop);
      if (this._drained && this._isDrained()) this._drained();
    }

    /** Nothing left to acknowledge or answer: every message acknowledged, every publish numbered. */
    _isDrained() {
      if (this._outbox.length > 0) return false;
      for (const request of this._requests.values()) if (request.op === 'pub') return false;
      return true;
    }

    _drain(timeoutMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        const self = this;
        function done() {
          clearTimeout(timer);
          self._drained = null;
          resolve();
        }
        this._drained = done;
      });
    }

    // --- upstream --------------------------------------------------------------------------------

    _pushUp() {
      if (this._transport.name === 'websocket') this._flushWebSocket();
      else this._kickSender(false);
    }

    /** Sends, in order, every kept message the WebSocket has not carried; an acknowledgement rides on text. */
    _flushWebSocket() {
      const socket = this._transport;
      if (this._outbox.length === 0) return;
      const start = Math.max(0, this._wsSentTo + 1 - this._outbox[0].s);
      for (let i = start; i < this._outbox.length; i++) {
        const entry = this._outbox[i];
        if (entry.text !== undefined || entry.ch !== undefined) {
          const envelope = entry.ch !== undefined
            ? Object.assign({ t: 'ch', s: entry.s }, entry.ch)
            : { t: 'm', s: entry.s, d: entry.text };
          if (this._received > this._ackTold) {
            envelope.a = this._received;
            this._ackTold = this._received;
          }
          socket.send(JSON.stringify(envelope));
        } else {
          socket.send(writeBinaryEnvelope(entry.s, entry.bytes));
        }
        this._wsSentTo = entry.s;
      }
    }

    /**
     * §4 send: at most one outstanding. Each body carries every kept message from the first the
     * server has not acknowledged (up to maxSendBytes), so a send that failed or whose answer was
     * lost goes again with the same numbers (and any newer ones after them).
     */
    _kickSender(heartbeat) {
      if (this._sending || this._sendRetry || !this._live || this._transport.name === 'websocket') return;
      const ackDue = this._transport.name === 'sse' && this._received > this._ackTold;
      if (this._outbox.length === 0 && !ackDue && !heartbeat) return;
      const maxBytes = this._session.limits.maxSendBytes - ACK_ROOM;
      const parts = [];
      let bytes = 2;
      for (const entry of this._outbox) {
        if (entry.json === undefined) {
          if (entry.ch !== undefined) {
            entry.json = JSON.stringify(Object.assign({ t: 'ch', s: entry.s }, entry.ch));
            entry.jsonBytes = utf8.encode(entry.json).length;
          } else {
            entry.json = JSON.stringify(entry.text !== undefined
              ? { t: 'm', s: entry.s, d: entry.text }
              : { t: 'm', s: entry.s, b: toBase64(entry.bytes) });
            entry.jsonBytes = entry.text !== undefined ? utf8.encode(entry.json).length : entry.json.length;
          }
        }
        if (parts.length > 0 && bytes + entry.jsonBytes + 1 > maxBytes) break;
        parts.push(entry.json);
        bytes += entry.jsonBytes + 1;
      }
      const ack = this._received;
      parts.push(`{"t":"a","a":${ack}}`);
      const controller = new AbortController();
      this._sending = controller;
      this._lastSendAt = Date.now();
      request('POST', this._url('send'), `[${parts.join(',')}]`, 2 * this._session.heartbeatMs, controller.signal).then((answer) => {
        if (this._sending !== controller) return;
        this._sending = null;
        if (answer.status === 200) {
          this._sendFailures = 0;
          this._ackTold = Math.max(this._ackTold, ack);
          if (answer.json && isCount(answer.json.a, 0)) this._applyAck(answer.json.a);
          this._kickSender(false);
        } else if (answer.status === 409 && answer.json && isCount(answer.json.a, 0)) {
          // §4: the server has everything up to a; the next send starts after it.
          this._applyAck(answer.json.a);
          this._kickSender(false);
        } else if (isSessionGone(answer.status)) {
          this._sessionLost(refusalReason(answer));
        } else if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429) {
          // A refusal of what this client sent (too large, malformed, refused) does not change by retrying.
          const unacknowledged = appMessages(this._outbox);
          this._resetSession();
          this._finish(refusalReason(answer), { unacknowledged });
        } else {
          const cap = Math.min(this._options.maxReconnectDelayMs, this._options.reconnectDelayMs * Math.pow(2, this._sendFailures++));
          this._sendRetry = setTimeout(() => {
            this._sendRetry = null;
            this._kickSender(false);
          }, Math.random() * cap);
        }
      });
    }

    _stopSender() {
      if (this._sending) this._sending.abort();
      this._sending = null;
      clearTimeout(this._sendRetry);
      this._sendRetry = null;
    }

    // --- channels (§10) -----------------------------------------------------------------------------

    /** A ch envelope in the outbox: numbered with the messages, JSON on every transport. */
    _sendChannel(fields) {
      this._outbox.push({ s: this._nextSeq++, ch: fields });
      if (this._live) this._pushUp();
    }

    /** A client op with a new request id; its promise settles on the server's answer. */
    _request(op, channel, extra, subscription) {
      const request = { r: ++this._requestIds, op, ch: channel, extra, subscription };
      request.promise = new Promise((resolve, reject) => { request.resolve = resolve; request.reject = reject; });
      this._requests.set(request.r, request);
      this._sendChannel(Object.assign({ op, ch: channel, r: request.r }, extra));
      return request.promise;
    }

    _sendSubscribe(subscription) {
      const extra = {};
      const cursor = subscription._cursor;
      if (cursor) extra.from = { e: cursor.epoch, q: cursor.seq };
      if (subscription._history != null) extra.hist = subscription._history;
      if (subscription._info !== undefined) extra.info = subscription._info;
      this._request('sub', subscription.channel, extra, subscription).catch(() => {});
    }

    /** §10.2, on a new session: subscriptions first (from their cursors), then the ops still unanswered. */
    _renewChannels() {
      const unanswered = [...this._requests.values()];
      this._requests.clear();
      for (const subscription of this._subscriptions.values()) this._sendSubscribe(subscription);
      for (const request of unanswered) {
        if (request.op === 'pub' || request.op === 'presence') {
          // The same request (and so the same key) on the new session, with a new request id.
          request.r = ++this._requestIds;
          this._requests.set(request.r, request);
          this._sendChannel(Object.assign({ op: request.op, ch: request.ch, r: request.r }, request.extra));
        } else if (request.op === 'unsub') {
          // The new session never had that subscription.
          request.resolve(null);
        }
      }
    }

    /** The client is closed: every subscription ends, every unanswered op fails. */
    _endChannels(reason) {
      const subscriptions = [...this._subscriptions.values()];
      const requests = [...this._requests.values()];
      this._subscriptions.clear();
      this._requests.clear();
      for (const request of requests) {
        if (request.op === 'unsub') request.resolve(null);
        else request.reject(clientError('closed', `the client closed before an answer: ${reason}`));
      }
      for (const subscription of subscriptions) subscription._ended(reason);
    }

    _take(r) {
      const request = this._requests.get(r);
      if (request === undefined) return null;
      this._requests.delete(r);
      if (this._drained && this._isDrained()) this._drained();
      return request;
    }

    /** A numbered ch envelope from the server, in order; never an application message. */
    _onChannel(e) {
      const subscription = this._subscriptions.get(e.ch);
      switch (e.op) {
        case 'p':
        case 'gap':
        case 'join':
        case 'leave':
          if (subscription) subscription._receive(e);
          return;
        case 'unsubscribed':
          if (subscription) {
            this._subscriptions.delete(e.ch);
            subscription._ended(typeof e.reason === 'string' ? e.reason : 'unsubscribed');
          }
          return;
        default:
          break;
      }
      const request = e.r !== undefined ? this._take(e.r) : null;
      if (request === null) return;
      const current = request.subscription && this._subscriptions.get(request.ch) === request.subscription;
      switch (e.op) {
        case 'subscribed':
          if (current) request.subscription._subscribed(e);
          request.resolve(e);
          return;
        case 'refused':
          if (request.op === 'unsub') {
            request.resolve(null);
          } else {
            if (current) {
              this._subscriptions.delete(request.ch);
              request.subscription._refused(e);
            }
            request.reject(clientError(typeof e.error === 'string' ? e.error : 'refused', typeof e.message === 'string' ? e.message : 'refused'));
          }
          return;
        case 'presence':
          request.resolve(Array.isArray(e.members) ? e.members.map(member) : []);
          return;
        default:
          // ack (a publish numbered), ok (an unsubscribe done), and ops a later version adds.
          request.resolve(e);
      }
    }

    // --- events ----------------------------------------------------------------------------------

    _emit(kind, extra) {
      switch (kind) {
        case 'connecting':
        case 'connected':
        case 'reconnecting':
        case 'closed':
          this._state = kind;
          break;
        case 'resumed':
          this._state = 'connected';
          break;
        default:
          // fallback and session-lost leave the state as it is (a connecting or a closed follows).
      }
      const detail = Object.assign({
        state: kind,
        transport: this._live && this._transport ? this._transport.name : null,
        reason: null,
        from: null,
        to: null,
      }, extra);
      this.dispatchEvent(new CustomEvent('statechange', { detail }));
    }
  }

  /** A kept message as the application gave it: a string, or an ArrayBuffer. */
  function appData(entry) {
    return entry.text !== undefined ? entry.text : entry.bytes.slice().buffer;
  }

  /** The application's messages among kept entries (channel envelopes are the client's own). */
  function appMessages(outbox) {
    return outbox.filter((entry) => entry.ch === undefined).map(appData);
  }

  function member(m) {
    return { id: m && typeof m.id === 'string' ? m.id : null, info: m && m.info !== undefined ? m.info : null };
  }

  /**
   * One channel subscription of a RealtimeClient (§10), an EventTarget: subscribed, publication,
   * gap, join, leave, unsubscribed, refused. It keeps its cursor, the epoch and number of the
   * last publication it delivered, and the channel's members as it last heard of them.
   */
  class Subscription extends EventTarget {
    constructor(client, channel, options) {
      super();
      this._client = client;
      this.channel = channel;
      this._history = options.history != null ? options.history : null;
      if (this._history !== null && !isCount(this._history, 0)) throw new TypeError('history is a count');
      this._info = options.info;
      // §10: the server ends a session whose info is over 1 KiB (a protocol error): refused here instead.
      if (this._info !== undefined && (JSON.stringify(this._info) === undefined || utf8.encode(JSON.stringify(this._info)).length > MAX_INFO_BYTES)) {
        throw new TypeError(`info is a JSON value of at most ${MAX_INFO_BYTES} bytes`);
      }
      this._cursor = null;
      if (options.from) {
        const epoch = options.from.epoch !== undefined ? options.from.epoch : options.from.e;
        const seq = options.from.seq !== undefined ? options.from.seq : options.from.q;
        if (typeof epoch !== 'string' || !isCount(seq, 0)) throw new TypeError('from is { epoch, seq }');
        this._cursor = { epoch, seq };
      }
      this._state = 'subscribing';
      this._members = new Map();
      this.ready = new Promise((resolve, reject) => { this._ready = { resolve, reject }; });
      this.ready.catch(() => {});
    }

    /** subscribing, subscribed or unsubscribed. */
    get state() { return this._state; }

    /** { epoch, seq } of the last publication delivered (or where it resumes from), or null. */
    get cursor() { return this._cursor ? { epoch: this._cursor.epoch, seq: this._cursor.seq } : null; }

    /** The channel's members ({ id, info }) as the subscription last heard. */
    get members() { return [...this._members.values()]; }

    /** Publishes on this channel: client.publish(channel, data). */
    publish(data) { return this._client.publish(this.channel, data); }

    /** Asks the server who is in the channel now: a Promise of [{ id, info }]. */
    presence() {
      if (this._state === 'unsubscribed') return Promise.reject(clientError('unsubscribed', 'the subscription has ended'));
      return this._client._request('presence', this.channel, {}, null);
    }

    /** Ends the subscription; resolves once the server is done (an unsubscribed event follows, reason client). */
    unsubscribe() {
      const client = this._client;
      if (this._state === 'unsubscribed' || client._subscriptions.get(this.channel) !== this) return Promise.resolve();
      client._subscriptions.delete(this.channel);
      const done = client._state === 'closed' ? Promise.resolve() : client._request('unsub', this.channel, {}, null);
      return done.then(() => this._ended('client'), () => this._ended('client'));
    }

    _emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail: Object.assign({ channel: this.channel }, detail) }));
    }

    _subscribed(e) {
      const latest = isCount(e.q, 0) ? e.q : 0;
      const missing = Array.isArray(e.missing) && e.missing.length === 2 ? e.missing : null;
      const from = this._cursor;
      switch (e.result) {
        case 'resumed':
          this._cursor = { epoch: e.e, seq: from ? from.seq : latest };
          break;
        case 'gap':
          this._cursor = { epoch: e.e, seq: missing ? missing[1] : (from ? from.seq : 0) };
          break;
        case 'reset':
          this._cursor = { epoch: e.e, seq: this._history === null ? 0 : Math.max(0, latest - this._history) };
          break;
        default:
          this._cursor = { epoch: e.e, seq: Math.max(0, latest - (this._history || 0)) };
      }
      this._state = 'subscribed';
      const presence = Array.isArray(e.presence) ? e.presence.map(member) : [];
      this._members = new Map(presence.map((m) => [m.id, m]));
      const detail = { result: e.result, epoch: e.e, latest, missing, presence };
      this._emit('subscribed', detail);
      this._ready.resolve(Object.assign({ channel: this.channel }, detail));
    }

    _receive(e) {
      if (this._state !== 'subscribed') return;
      switch (e.op) {
        case 'p': {
          const cursor = this._cursor;
          // Never twice: a number at or below the cursor (same epoch) was delivered already.
          if (cursor && cursor.epoch === e.e && e.q <= cursor.seq) return;
          this._cursor = { epoch: e.e, seq: e.q };
          this._emit('publication', { seq: e.q, epoch: e.e, data: e.data, from: typeof e.from === 'string' ? e.from : null });
          return;
        }
        case 'gap': {
          const missing = Array.isArray(e.missing) && e.missing.length === 2 ? e.missing : null;
          if (missing && this._cursor && this._cursor.epoch === e.e) this._cursor = { epoch: e.e, seq: Math.max(this._cursor.seq, missing[1]) };
          this._emit('gap', { epoch: e.e, missing });
          return;
        }
        default: {
          const m = member(e);
          if (e.op === 'join') this._members.set(m.id, m);
          else {
            const known = this._members.get(m.id);
            if (known) m.info = known.info;
            this._members.delete(m.id);
          }
          this._emit(e.op, { member: m });
        }
      }
    }

    _refused(e) {
      this._state = 'unsubscribed';
      const error = typeof e.error === 'string' ? e.error : 'refused';
      const message = typeof e.message === 'string' ? e.message : error;
      this._emit('refused', { error, message });
      this._ready.reject(clientError(error, message));
    }

    _ended(reason) {
      if (this._state === 'unsubscribed') return;
      this._state = 'unsubscribed';
      this._emit('unsubscribed', { reason });
      this._ready.reject(clientError('unsubscribed', `unsubscribed: ${reason}`));
    }
  }

  root.Duplex = { RealtimeClient, Subscription, version: VERSION };
})(globalThis);
