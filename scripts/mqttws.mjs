// mqttws.mjs — the smallest MQTT 3.1.1 subscriber over WebSocket, for the
// bench's yardstick: what a dashboard connecting straight to mosquitto's
// WebSocket listener would get (issue 14, part 5).
//
// Two kinds of client, as on the hub's side of the comparison:
//   mqttSubscriber(): parses every PUBLISH and hands topic and payload to
//     a callback (the few clients that measure);
//   mqttDrainer(): a raw socket that does the handshake, CONNECT and
//     SUBSCRIBE, then only drains (the many that load the broker without
//     making this process the bottleneck it measures).
// QoS 0 only, no keep-alive (0: the broker never closes an idle client),
// clean session.  Bench-only: the hub never speaks MQTT over WebSocket.
import net from 'node:net';
import WebSocket from '../tests/node_modules/ws/index.js';

function str(s) {
	const b = Buffer.from(s, 'utf8');
	const l = Buffer.alloc(2);
	l.writeUInt16BE(b.length);
	return Buffer.concat([l, b]);
}

// MQTT's variable-length "remaining length"
function remlen(n) {
	const out = [];
	do {
		let d = n % 128;
		n = Math.floor(n / 128);
		if (n > 0) d |= 0x80;
		out.push(d);
	} while (n > 0);
	return Buffer.from(out);
}

function packet(type, body) {
	return Buffer.concat([Buffer.from([type]), remlen(body.length), body]);
}

// CONNECT (clean session, keep-alive 0) then SUBSCRIBE (packet id 1, QoS 0)
export function hello(clientId, filter) {
	const connect = packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 0x02, 0, 0]), str(clientId)]));
	const subscribe = packet(0x82, Buffer.concat([Buffer.from([0, 1]), str(filter), Buffer.from([0])]));
	return [connect, subscribe];
}

// Splits a byte stream into MQTT packets; calls onPacket(first byte, body).
function splitter(onPacket) {
	let buf = Buffer.alloc(0);
	return (chunk) => {
		buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
		for (;;) {
			let len = 0, mul = 1, i = 1;
			for (; i < buf.length && i <= 4; i++) {
				len += (buf[i] & 0x7f) * mul;
				mul *= 128;
				if (!(buf[i] & 0x80)) break;
			}
			if (i >= buf.length || buf.length < i + 1 + len) return;
			onPacket(buf[0], buf.subarray(i + 1, i + 1 + len));
			buf = buf.subarray(i + 1 + len);
		}
	};
}

// A subscriber that parses: resolves once the SUBACK arrived.
// onPublish(topic, payload Buffer) for each QoS 0 PUBLISH.
export function mqttSubscriber(url, clientId, filter, onPublish) {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, 'mqtt');
		const feed = splitter((first, body) => {
			const type = first >> 4;
			if (type === 3) {
				const tl = body.readUInt16BE(0);
				onPublish(body.toString('utf8', 2, 2 + tl), body.subarray(2 + tl));
			} else if (type === 9) {
				resolve(ws);
			} else if (type === 2 && body[1] !== 0) {
				reject(new Error('CONNACK refused: ' + body[1]));
			}
		});
		ws.on('open', () => { for (const p of hello(clientId, filter)) ws.send(p); });
		ws.on('message', (d) => feed(d));
		ws.on('error', reject);
	});
}

// One masked binary WebSocket frame (a zero mask: the bytes as they are).
function frame(payload) {
	const head = payload.length < 126 ? Buffer.from([0x82, 0x80 | payload.length]) :
		Buffer.from([0x82, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
	return Buffer.concat([head, Buffer.alloc(4), payload]);
}

// A raw client that subscribes and then only drains: resolves with the
// socket once the CONNACK and SUBACK frames (6 + 7 bytes) arrived.
export function mqttDrainer(port, clientId, filter) {
	return new Promise((resolve, reject) => {
		let upgraded = false, got = 0;
		const s = net.connect(port, '127.0.0.1', () => {
			s.write('GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
				'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
				'Sec-WebSocket-Protocol: mqtt\r\n\r\n');
		});
		s.on('data', (d) => {
			if (!upgraded) {
				const t = d.toString('latin1');
				if (!t.startsWith('HTTP/1.1 101')) return reject(new Error('no upgrade: ' + t.split('\r\n')[0]));
				upgraded = true;
				const end = t.indexOf('\r\n\r\n');
				got += d.length - (end + 4);
				for (const p of hello(clientId, filter)) s.write(frame(p));
			} else {
				got += d.length;
			}
			if (got >= 13) resolve(s);
		});
		s.once('close', () => reject(new Error('closed before the SUBACK')));
		s.on('error', () => { });
	});
}
