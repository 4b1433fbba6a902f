/*
 * stub_wire.c — empty fan-out tables for unit tests, in place of
 * hub/wire.c: the registry announces to nobody, the WebSocket snapshot has
 * no parts, the loop serves no protocol.  A test that wants a listener
 * links its own table instead.
 */
#include <stddef.h>

#include "core/loop.h"
#include "lab/device.h"
#include "net/ws.h"

const struct device_sub *const device_subs[1] = { NULL };
const int device_nsubs = 0;
const struct ws_part *const ws_parts[1] = { NULL };
const int ws_nparts = 0;
const struct lws_protocols *const loop_protocols[1] = { NULL };
const int loop_nprotocols = 0;
