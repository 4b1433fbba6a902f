/*
 * gpio.c — physical controls (placeholder: no GPIO yet).
 */
#include "gpio.h"
#include "hub.h"

int gpio_init(struct hub *h)
{
	return 0;
}

void gpio_fini(struct hub *h)
{
}

void gpio_sim_input(struct hub *h, const char *line, const char *payload, size_t len)
{
}

void gpio_state_changed(struct hub *h)
{
}
