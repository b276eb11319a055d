#include "ovseal/version.hpp"

namespace ovseal {

const char* version() noexcept { return OVSEAL_VERSION_STRING; }

}  // namespace ovseal
