#ifndef ATOMFORGE_CLIBYAML_H
#define ATOMFORGE_CLIBYAML_H
#include <yaml.h>
#endif
