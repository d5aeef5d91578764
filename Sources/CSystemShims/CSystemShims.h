#ifndef ATOMFORGE_CSYSTEMSHIMS_H
#define ATOMFORGE_CSYSTEMSHIMS_H

#include <spawn.h>

// glibc (2.29+) declares this only under _GNU_SOURCE, which Swift's Glibc module is not built with.
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict actions,
                                                const char *__restrict path);

#endif
