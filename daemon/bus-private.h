/* bus-private.h — shared by bus.c and bus-introspect.c. */
#pragma once

#include "bus.h"

typedef struct {
  CLBus *bus;
  char *path;
  gboolean fallback;
  const CLInterface *const *interfaces;
  gpointer data;
  CLExistsFunc exists;
  CLChildrenFunc children;
} CLRegistration;

/* XML for @path; @leaf is TRUE for an object below a fallback base. */
char *cl_bus_introspect (CLBus *bus, CLRegistration *reg, const char *path, gboolean leaf);
