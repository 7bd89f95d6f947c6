/* version.h — the one place the version is written. */
#ifndef DT_VERSION_H
#define DT_VERSION_H
#define DT_VERSION "0.2.0"
#endif
