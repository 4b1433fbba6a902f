/*
 * lab.c — the simulated lab's layout: which devices of which kind, their
 * native ids, names and rooms, drawn from the options (--printers,
 * --plugs…) and the seeded PRNG.  The only file that places kinds by name.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

static const char *const rooms[] = { "Salle 2", "Salle 3", "Atelier",
				     "Accueil" };

static struct sdev *add(const struct sim_ops *ops)
{
	struct sdev *d = &S.dev[S.ndev++];

	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->kind = ops->kind;
	d->r = &S.rng;
	d->nozzle = d->bed = d->last_nozzle = d->last_bed = AMBIENT;
	d->on = 1;
	d->battery = (int)rng_range(&S.rng, 62, 100);
	d->lqi = (int)rng_range(&S.rng, 60, 200);
	d->temp = rng_uniform(&S.rng, 20, 23);
	d->hum = rng_uniform(&S.rng, 32, 48);
	d->press = rng_uniform(&S.rng, 1005, 1020);
	d->co2 = rng_uniform(&S.rng, 450, 800);
	d->energy_kwh = rng_uniform(&S.rng, 5, 60);
	snprintf(d->mac, sizeof(d->mac), "a4cf12%06lx",
		 (unsigned long)rng_range(&S.rng, 0, 0xffffff));
	return d;
}

/* "<source>/<native id>", the device's id in the hub */
static void hub_id(struct sdev *d)
{
	snprintf(d->hub_id, sizeof(d->hub_id), "%s/%s", d->ops->source,
		 d->nid);
}

void lab_build(void)
{
	static const char *const pnames[][2] = {
		{ "prusa", "Prusa MK4" }, { "voron", "Voron 2.4" },
		{ "bambu", "Creality K1" }, { "ender", "Ender 3 V3" },
	};
	int i;

	for (i = 0; i < S.printers; i++) {
		int octo = i % 2 == 0;
		struct sdev *d = add(octo ? &sim_octoprint : &sim_moonraker);
		const char *room = rooms[i % 2];
		int k = i % 4;

		if (octo) {
			if (i == 0)
				snprintf(d->nid, sizeof(d->nid), "octoPrint");
			else
				snprintf(d->nid, sizeof(d->nid), "octoPrint%d",
					 i / 2 + 1);
		} else {
			snprintf(d->nid, sizeof(d->nid), "lab-%s%s",
				 pnames[k][0], i >= 4 ? "-2" : "");
		}
		hub_id(d);
		snprintf(d->name, sizeof(d->name), "%s — %s", pnames[k][1],
			 room);
		snprintf(d->room, sizeof(d->room), "%s", room);
		d->model = pnames[k][1];
		d->next_job = rng_uniform(&S.rng, 5, 240);
	}
	for (i = 0; i < S.plugs; i++) {
		int feeds = i < S.printers;
		int shelly = !feeds && i == S.printers;
		struct sdev *d = add(shelly ? &sim_shelly : &sim_tasmota);

		if (feeds) {
			struct sdev *pr = &S.dev[i];

			snprintf(d->nid, sizeof(d->nid), "%s-%s%s",
				 pnames[i % 4][0],
				 pr->room[6] == '2' ? "salle2" : "salle3",
				 i >= 4 ? "-2" : "");
			snprintf(d->name, sizeof(d->name), "Prise %s",
				 pr->name);
			snprintf(d->room, sizeof(d->room), "%s", pr->room);
			d->feeds = pr;
			pr->plug = d;
		} else if (shelly) {
			snprintf(d->nid, sizeof(d->nid),
				 "shellyplusplugs-80646fd031f8");
			snprintf(d->name, sizeof(d->name),
				 "Prise poste de numérisation");
			snprintf(d->room, sizeof(d->room), "Atelier");
		} else {
			snprintf(d->nid, sizeof(d->nid), "prise-%d", i + 1);
			snprintf(d->name, sizeof(d->name), "Prise %d", i + 1);
			snprintf(d->room, sizeof(d->room), "Atelier");
		}
		d->model = shelly ? "Shelly Plus Plug S" : "Sonoff S31";
		hub_id(d);
	}
	for (i = 0; i < S.sensors; i++) {
		int esp = i % 2 == 0;
		struct sdev *d = add(esp ? &sim_esphome : &sim_z2m_sensor);
		const char *room = rooms[(i / 2) % 2];

		if (esp) {
			snprintf(d->nid, sizeof(d->nid), i ? "lab-env-%d" :
				 "lab-env", i / 2 + 1);
			snprintf(d->name, sizeof(d->name),
				 "Capteur labo — %s", room);
			d->model = "esp32dev";
		} else {
			snprintf(d->nid, sizeof(d->nid), "co2-salle%d",
				 (i / 2) % 2 + 2 + (i >= 4 ? 10 : 0));
			snprintf(d->name, sizeof(d->name), "CO₂ — %s", room);
			d->model = "TS0601_air_quality";
		}
		snprintf(d->room, sizeof(d->room), "%s", room);
		hub_id(d);
	}
	for (i = 0; i < S.buttons; i++) {
		struct sdev *d = add(&sim_z2m_button);

		snprintf(d->nid, sizeof(d->nid), i ? "boutons-accueil-%d" :
			 "boutons-accueil", i + 1);
		snprintf(d->name, sizeof(d->name), "Boîte à boutons — Accueil");
		snprintf(d->room, sizeof(d->room), "Accueil");
		hub_id(d);
		d->model = "WXKG01LM";
		d->next_press = rng_uniform(&S.rng, 20, 300);
	}
	for (i = 0; i < S.scanners; i++) {
		struct sdev *d = add(&sim_scanner);

		snprintf(d->nid, sizeof(d->nid), "scanner-%d", i + 1);
		snprintf(d->name, sizeof(d->name), "Scanner 3D %d", i + 1);
		snprintf(d->room, sizeof(d->room), "Atelier");
		hub_id(d);
		d->model = "Creaform Go!SCAN 3D";
		d->next_scan = rng_uniform(&S.rng, 30, 600);
	}
}
