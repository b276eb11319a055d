#include <fstream>
#include <string>

#include "crypto/crypto.hpp"
#include "keys/identity_secrets.hpp"
#include "keys/key_secret.hpp"
#include "keys/public_key_text.hpp"
#include "keys/secret_file.hpp"
#include "ovseal/error.hpp"

namespace ovseal {
namespace {

constexpr std::string_view device_private_prefix = "OVSEAL-X25519-PRIVATE-1:";
constexpr const char* private_file = "identity";
constexpr const char* public_file = "identity.pub";

}  // namespace

DevicePublicKey DevicePublicKey::parse(std::string_view text) {
    return DevicePublicKey(keys::parse_public_key_text(keys::device_key_prefix, text, "device public key"));
}

std::string DevicePublicKey::to_string() const { return keys::public_key_text(keys::device_key_prefix, m_key); }

std::string DevicePublicKey::key_id() const { return keys::key_id(m_key); }

DeviceIdentity DeviceIdentity::create(const std::filesystem::path& dir) {
    std::error_code ec;
    for (const char* name : {private_file, public_file}) {
        if (std::filesystem::exists(dir / name, ec)) {
            throw Error(ErrorCode::io, "'" + (dir / name).string() + "' already exists; refusing to overwrite a "
                                                                     "device identity");
        }
    }
    std::filesystem::create_directories(dir, ec);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
    memory::SecretBytes private_key(32);
    crypto::random_bytes(private_key.secret());
    const auto pub = DevicePublicKey::from_bytes(crypto::x25519_public_key(private_key.secret()));
    keys::write_key_file(dir / private_file,
                         "# ovseal device identity (X25519 private key). Never copy it off this device.\n",
                         device_private_prefix, private_key.secret(), "a device identity");
    std::ofstream out(dir / public_file);
    out << pub.to_string() << "\n";
    if (!out.flush()) {
        throw Error(ErrorCode::io, "cannot write '" + (dir / public_file).string() + "'");
    }
    return DeviceIdentity(std::make_shared<const Secret>(Secret{std::move(private_key)}), pub);
}

DeviceIdentity DeviceIdentity::from_bytes(std::span<const std::uint8_t> private_key) {
    if (private_key.size() != 32) throw Error(ErrorCode::invalid_key, "a device private key is 32 bytes");
    auto secret = memory::SecretBytes::copy_of(private_key);
    const auto pub = DevicePublicKey::from_bytes(crypto::x25519_public_key(secret.secret()));
    return DeviceIdentity(std::make_shared<const Secret>(Secret{std::move(secret)}), pub);
}

DeviceIdentity DeviceIdentity::load(const std::filesystem::path& dir) {
    static constexpr keys::KeyLineForm form[] = {{device_private_prefix, 32}};
    auto line = keys::read_key_file(dir / private_file, form, "an ovseal device identity",
                                    "create one with `ovseal device init -o DIR`");
    const auto pub = DevicePublicKey::from_bytes(crypto::x25519_public_key(line.secret.secret()));
    return DeviceIdentity(std::make_shared<const Secret>(Secret{std::move(line.secret)}), pub);
}

}  // namespace ovseal
