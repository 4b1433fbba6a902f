/*
 * button.h — button presses from devices (Zigbee2MQTT actions, Shelly
 * inputs, ESPHome/Homie buttons, native button.pressed): stored, shown,
 * and mapped by config to an action (a vote, a session toggle).
 */
#ifndef MLAB_BUTTON_H
#define MLAB_BUTTON_H

struct hub;
struct device;

void button_pressed(struct hub *h, struct device *d, const char *action, double ts);
/* Run a mapped action ("vote:N", "session", "event:NAME") on behalf of
 * source. 0 or -1 (logged). Shared with the GPIO buttons. */
int button_do(struct hub *h, const char *what, const char *source);

#endif
