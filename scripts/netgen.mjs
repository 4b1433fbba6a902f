// netgen.mjs — the network bench's load generator (BENCH=network in
// scripts/bench.mjs): N sites' fact streams, each on its own MQTT 3.1.1
// connection as a lab's bridge would be, published QoS 1 on
// mlab/v1/net/<site>/fact at a total rate, while listening to each site's
// mlab/v1/net/<site>/ack.  An ack {"seq":W} closes every fact of that
// site up to W: the time from its PUBLISH to that ack is its latency.
//
// A small MQTT client of our own (CONNECT, PUBLISH QoS 1 out and in,
// PUBACK, SUBSCRIBE), enough for this and nothing more.
import net from 'node:net';

function varint(n) {
	const b = [];
	do {
		let x = n % 128;
		n = Math.floor(n / 128);
		if (n) x |= 128;
		b.push(x);
	} while (n);
	return Buffer.from(b);
}
const str = (s) => { const b = Buffer.from(s); return Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]); };
const packet = (type, body) => Buffer.concat([Buffer.from([type]), varint(body.length), body]);

// One connection: connect(), publish(topic, payload), onMessage(topic, payload).
class Client {
	constructor(port, id, onMessage) {
		this.port = port;
		this.id = id;
		this.onMessage = onMessage;
		this.pid = 0;
		this.buf = Buffer.alloc(0);
		this.inflight = 0;
	}

	connect(subscribe) {
		return new Promise((resolve, reject) => {
			this.s = net.connect(this.port, '127.0.0.1', () => {
				this.s.setNoDelay(true);
				this.s.write(packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 2, 0, 60]), str(this.id)])));
			});
			this.s.on('error', reject);
			this.s.on('data', (d) => this.read(d, subscribe, resolve));
		});
	}

	read(d, subscribe, ready) {
		this.buf = Buffer.concat([this.buf, d]);
		for (;;) {
			if (this.buf.length < 2) return;
			let len = 0, mul = 1, i = 1;
			for (; i < this.buf.length; i++) {
				len += (this.buf[i] & 127) * mul;
				mul *= 128;
				if (!(this.buf[i] & 128)) break;
			}
			if (i >= this.buf.length || this.buf.length < i + 1 + len) return;
			const type = this.buf[0], body = this.buf.subarray(i + 1, i + 1 + len);
			this.buf = this.buf.subarray(i + 1 + len);
			if (type === 0x20)	// CONNACK
				this.s.write(packet(0x82, Buffer.concat([Buffer.from([0, 1]), str(subscribe), Buffer.from([1])])));
			else if (type === 0x90)	// SUBACK
				ready();
			else if (type === 0x40)	// PUBACK of ours
				this.inflight--;
			else if ((type & 0xf0) === 0x30) {
				const tl = body.readUInt16BE(0), topic = body.subarray(2, 2 + tl).toString();
				const qos = (type >> 1) & 3, off = 2 + tl + (qos ? 2 : 0);
				if (qos) this.s.write(Buffer.from([0x40, 2, body[2 + tl], body[3 + tl]]));
				this.onMessage(topic, body.subarray(off));
			}
		}
	}

	publish(topic, payload) {
		this.pid = this.pid % 65535 + 1;
		this.inflight++;
		this.s.write(packet(0x32, Buffer.concat([str(topic), Buffer.from([this.pid >> 8, this.pid & 255]), Buffer.from(payload)])));
	}

	end() { this.s.end(Buffer.from([0xe0, 0])); }
}

// sites × facts at rate facts/s in total for secs seconds.  samples: fact
// states ({key, type, state}) the payloads are made from, in turn.
// Returns {sent, acked, lat: [ms…], bytes} once the last acks are in (or
// after wait ms).
export async function generate({ port, sites = 100, rate, secs, samples, wait = 30000 }) {
	const clients = [], pending = [], lat = [];
	let sent = 0, acked = 0, bytes = 0;
	for (let i = 0; i < sites; i++) {
		const site = `gen-${String(i + 1).padStart(3, '0')}`;
		const st = { site, seq: 0, w: 0, t: new Map(), boot: 'g' + Date.now().toString(36) + i };
		const c = new Client(port, 'mlab-netgen-' + site, (topic, payload) => {
			const m = JSON.parse(payload.toString());
			const now = performance.now();
			for (let q = st.w + 1; q <= m.seq; q++) {
				const t = st.t.get(q);
				if (t !== undefined) { lat.push(now - t); st.t.delete(q); acked++; }
			}
			if (m.seq > st.w) st.w = m.seq;
		});
		await c.connect(`mlab/v1/net/${site}/ack`);
		clients.push(c);
		pending.push(st);
	}
	const t0 = performance.now(), total = Math.round(rate * secs);
	let k = 0;
	while (sent < total) {
		// paced on the clock: what should have gone by now goes now
		const due = Math.min(total, Math.floor((performance.now() - t0) / 1000 * rate) + 1);
		for (; sent < due; sent++) {
			const i = sent % sites, st = pending[i], f = samples[k++ % samples.length];
			st.seq++;
			const payload = JSON.stringify({ seq: st.seq, boot: st.boot, site: st.site, key: f.key, type: f.type,
				at: Date.now() / 1000, state: JSON.parse(f.state) });
			bytes += payload.length;
			st.t.set(st.seq, performance.now());
			clients[i].publish(`mlab/v1/net/${st.site}/fact`, payload);
		}
		await new Promise((r) => setTimeout(r, Math.max(1, Math.min(50, 1000 / rate))));
	}
	const elapsed = (performance.now() - t0) / 1000;
	const end = performance.now() + wait;
	while (acked < sent && performance.now() < end) await new Promise((r) => setTimeout(r, 50));
	for (const c of clients) c.end();
	return { sent, acked, lat, bytes, elapsed };
}
