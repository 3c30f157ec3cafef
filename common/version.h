/* version.h: the usc-mots version the tools were built from. */
#ifndef USC_VERSION_H
#define USC_VERSION_H

/* "git describe" of the build's checkout, or the Makefile's version. */
const char *version_text(void);

#endif
