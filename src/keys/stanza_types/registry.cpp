// SPDX-License-Identifier: Apache-2.0
// The stanza types this version knows (docs/FORMAT.md §7), one line each; each is defined in its own file of this
// folder as `const StanzaType& NAME()`. Adding a type is one new file and one line here.

#include "keys/stanza_types/stanza_type.hpp"

#define OVSEAL_STANZA_TYPES(TYPE) \
    TYPE(key_file_stanza)         \
    TYPE(passphrase_stanza)       \
    TYPE(x25519_stanza)           \
    TYPE(p256_stanza)

namespace ovseal::keys {

#define OVSEAL_DECLARE_STANZA_TYPE(name) const StanzaType& name();
OVSEAL_STANZA_TYPES(OVSEAL_DECLARE_STANZA_TYPE)

const std::vector<const StanzaType*>& stanza_types() {
#define OVSEAL_LIST_STANZA_TYPE(name) &name(),
    static const std::vector<const StanzaType*> types = {OVSEAL_STANZA_TYPES(OVSEAL_LIST_STANZA_TYPE)};
    return types;
}

}  // namespace ovseal::keys
