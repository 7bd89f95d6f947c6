/* version.h — the one place the version is written. */
#ifndef DT_VERSION_H
#define DT_VERSION_H
#define DT_VERSION "0.1.0"
#endif
