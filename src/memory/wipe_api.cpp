// ovseal::wipe (ovseal/wipe.hpp): the library's own wipe, for applications (the CLI wipes typed passphrases).

#include "memory/wipe.hpp"
#include "ovseal/wipe.hpp"

namespace ovseal {

void wipe(void* data, std::size_t size) noexcept { memory::wipe(data, size); }

}  // namespace ovseal
