// The three symbols that the prebuilt Jazzer.js addon (@jazzer.js/fuzzer 4.0.0, built against
// glibc 2.38 and GCC 13's libstdc++) needs but Debian 12's glibc 2.36 / libstdc++ 6.0.30 lack.
// Preloaded (LD_PRELOAD) only when the fuzz runner starts Jazzer.js on such a system; see
// scripts/lib/jazzer-addon.mjs.
#include <cstdlib>
#include <ios>

extern "C" {
// C23's strtol/strtoul also accept a 0b prefix; the addon parses libFuzzer's decimal flags.
long __isoc23_strtol(const char *s, char **end, int base) { return std::strtol(s, end, base); }
unsigned long __isoc23_strtoul(const char *s, char **end, int base) {
  return std::strtoul(s, end, base);
}
}

namespace std {
// GCC 13 moved the iostream initialisation here; older libstdc++ does it in ios_base::Init.
void ios_base_library_init() { static ios_base::Init init; }
}  // namespace std
