// SPDX-License-Identifier: Apache-2.0
// The OpenVINO frontend "ovseal" (src/openvino/frontend): OpenVINO's own FrontEndManager and ov::Core load sealed
// models with no ovseal call in the application, with the key ring from OVSEAL_KEYRING or the thread's own;
// outputs are bit-identical to the plain model's, and every failure is an ov::Exception that carries the typed
// ovseal error. The built library's path comes from CMake (OVSEAL_FRONTEND_LIBRARY).

#include <gtest/gtest.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include <openvino/frontend/manager.hpp>

#include "scoped_env.hpp"
#include "test_support.hpp"

extern char** environ;

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;

// The C entry points, looked up in the library as an application would.
struct EntryPoints {
    int (*set_thread_key_ring)(const char*, std::size_t, const char*, char*, std::size_t);
    void (*clear_thread_key_ring)();
    int (*last_error)(char*, std::size_t);
};

const EntryPoints& entry_points() {
    static const EntryPoints points = [] {
        void* lib = ::dlopen(OVSEAL_FRONTEND_LIBRARY, RTLD_NOW | RTLD_LOCAL);
        if (lib == nullptr) throw std::runtime_error(std::string("dlopen: ") + ::dlerror());
        EntryPoints p{};
        p.set_thread_key_ring =
            reinterpret_cast<decltype(p.set_thread_key_ring)>(::dlsym(lib, "ovseal_frontend_set_thread_key_ring"));
        p.clear_thread_key_ring =
            reinterpret_cast<decltype(p.clear_thread_key_ring)>(::dlsym(lib, "ovseal_frontend_clear_thread_key_ring"));
        p.last_error = reinterpret_cast<decltype(p.last_error)>(::dlsym(lib, "ovseal_frontend_last_error"));
        if (!p.set_thread_key_ring || !p.clear_thread_key_ring || !p.last_error) {
            throw std::runtime_error("the frontend library lacks an entry point");
        }
        return p;
    }();
    return points;
}

int last_error_code(std::string* message = nullptr) {
    char text[1024];
    const int code = entry_points().last_error(text, sizeof text);
    if (message) *message = text;
    return code;
}

std::string error_text(ErrorCode code) {
    return "ovseal error " + std::to_string(static_cast<int>(code)) + " (" + std::string(ovseal::error_name(code)) +
           ")";
}

struct RunResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

// Runs `argv` with `extra_env` added to this process's environment; waits for it.
RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env, const fs::path& log) {
    std::vector<std::string> env_strings = extra_env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry = *e;
        const auto name = entry.substr(0, entry.find('=') + 1);
        const bool replaced = std::any_of(extra_env.begin(), extra_env.end(),
                                          [&](const std::string& x) { return x.rfind(name, 0) == 0; });
        if (!replaced) env_strings.push_back(entry);
    }
    std::vector<char*> args, envp;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (const auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), read_text(log)};
}

// One model sealed with a key file, a key ring for it, and one with a key that does not open it.
class OvsealFrontend : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir = std::make_unique<TempDir>();
        plain = write_model(make_mlp(256, 5), dir->path(), "mlp");
        sealed = dir->path() / "mlp.ovseal";
        const auto key = ovseal::Key::generate();
        key.save(dir->path() / "model.key");
        ovseal::Key::generate().save(dir->path() / "other.key");
        ovseal::SealOptions options;
        options.chunk_size = 64 * 1024;
        ovseal::seal_model(plain, sealed, {key}, options);
        write_text(dir->path() / "keyring.json", R"({"version": 1, "key_files": ["model.key"]})");
        write_text(dir->path() / "wrong.json", R"({"version": 1, "key_files": ["other.key"]})");
        ov::Core core;
        expected = infer(core.compile_model(plain.string(), "CPU"));
    }
    static void TearDownTestSuite() { dir.reset(); }

    void TearDown() override { entry_points().clear_thread_key_ring(); }

    static fs::path path(const std::string& name) { return dir->path() / name; }

    // The frontend through OpenVINO's FrontEndManager, from the built library.
    static ov::frontend::FrontEnd::Ptr registered(ov::frontend::FrontEndManager& manager) {
        manager.register_front_end("ovseal", std::string(OVSEAL_FRONTEND_LIBRARY));
        return manager.load_by_framework("ovseal");
    }

    // Loads `file` the way ov::Core does (FrontEndManager picks the frontend) and compiles it for the CPU.
    static ov::CompiledModel load_and_compile(const fs::path& file) {
        ov::frontend::FrontEndManager manager;
        manager.register_front_end("ovseal", std::string(OVSEAL_FRONTEND_LIBRARY));
        const auto fe = manager.load_by_model(file.string());
        if (!fe) throw std::runtime_error("no frontend claims " + file.string());
        const auto model = fe->convert(fe->load(file.string()));
        ov::Core core;
        return core.compile_model(model, "CPU");
    }

    // The ov::Exception a load throws: it must name `code` as "ovseal error N (name)", and so must the thread's
    // last error.
    static void expect_load_error(const fs::path& file, ErrorCode code) {
        try {
            load_and_compile(file);
            ADD_FAILURE() << "loading " << file << " did not fail";
        } catch (const ov::Exception& e) {
            EXPECT_NE(std::string(e.what()).find(error_text(code)), std::string::npos) << e.what();
            std::string message;
            EXPECT_EQ(last_error_code(&message), static_cast<int>(code));
            EXPECT_FALSE(message.empty());
            EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << message;
        }
    }

    static int set_key_ring(const std::string& json, const fs::path& base, std::string* error = nullptr) {
        char text[1024] = "unchanged";
        const int code = entry_points().set_thread_key_ring(json.data(), json.size(), base.c_str(), text, sizeof text);
        if (error) *error = text;
        return code;
    }

    static inline std::unique_ptr<TempDir> dir;
    static inline fs::path plain, sealed;
    static inline Outputs expected;
};

TEST_F(OvsealFrontend, FrontEndManagerFindsTheFrontendBySealedFile) {
    ov::frontend::FrontEndManager manager;
    const auto fe = registered(manager);
    ASSERT_NE(fe, nullptr);
    EXPECT_EQ(fe->get_name(), "ovseal");
    EXPECT_TRUE(fe->supported(sealed.string()));
    EXPECT_TRUE(fe->supported(sealed));
    EXPECT_TRUE(fe->supported(sealed.wstring()));
    const auto chosen = manager.load_by_model(sealed.string());
    ASSERT_NE(chosen, nullptr);
    EXPECT_EQ(chosen->get_name(), "ovseal");
}

TEST_F(OvsealFrontend, SupportedIsFalseForAnythingElseAndNeverThrows) {
    ov::frontend::FrontEndManager manager;
    const auto fe = registered(manager);
    EXPECT_FALSE(fe->supported(plain.string()));
    EXPECT_FALSE(fe->supported(path("missing.ovseal").string()));
    EXPECT_FALSE(fe->supported(dir->path().string()));
    EXPECT_FALSE(fe->supported(std::string()));
    EXPECT_FALSE(fe->supported(42));
    EXPECT_FALSE(fe->supported(std::vector<ov::Any>{}));
    write_text(path("short.ovseal"), "OVS");
    EXPECT_FALSE(fe->supported(path("short.ovseal").string()));
}

TEST_F(OvsealFrontend, KeyRingFromEnvironmentGivesTheSameOutputs) {
    ScopedEnv env("OVSEAL_KEYRING", path("keyring.json").string());
    auto compiled = load_and_compile(sealed);
    expect_same_outputs(expected, infer(compiled));
    EXPECT_EQ(last_error_code(), 0);
}

// The frontend's copy of ovseal hardens the process as the C++ API does: non-dumpable from the first sealed model
// on, and after it is released (OpenVINO's copies stay in the memory it freed).
TEST_F(OvsealFrontend, NonDumpableWhileTheModelIsHeld) {
    const auto dumpable = [] { return ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); };
    const char* harden = std::getenv("OVSEAL_HARDEN");
    if (dumpable() != 1 || (harden != nullptr && std::string(harden) == "0")) {
        GTEST_SKIP() << "this process is already non-dumpable, or hardening is off";
    }
    ScopedEnv env("OVSEAL_KEYRING", path("keyring.json").string());
    {
        auto compiled = load_and_compile(sealed);
        EXPECT_EQ(dumpable(), 0) << "a sealed model is held";
        expect_same_outputs(expected, infer(compiled));
    }
    EXPECT_EQ(dumpable(), 0) << "released, but freed memory may still hold the model";
}

TEST_F(OvsealFrontend, ThreadKeyRingOverridesTheEnvironmentOnThatThreadOnly) {
    ScopedEnv env("OVSEAL_KEYRING", path("wrong.json").string());
    ASSERT_EQ(set_key_ring(R"({"version": 1, "key_files": ["model.key"]})", dir->path()), 0);
    expect_same_outputs(expected, infer(load_and_compile(sealed)));

    // Another thread has no override: it gets OVSEAL_KEYRING's key, which does not open the file.
    std::thread other([] { expect_load_error(sealed, ErrorCode::no_matching_key); });
    other.join();

    entry_points().clear_thread_key_ring();
    expect_load_error(sealed, ErrorCode::no_matching_key);
}

TEST_F(OvsealFrontend, InlinePassphraseOnlyFromTheApplication) {
    const auto with_passphrase = path("pass.ovseal");
    ovseal::SealOptions options;
    options.scrypt_log2_n = 16;
    ovseal::seal_model(plain, with_passphrase, {ovseal::Key::from_passphrase("correct horse")}, options);

    ASSERT_EQ(set_key_ring(R"({"version": 1, "passphrase": "correct horse"})", {}), 0);
    expect_same_outputs(expected, infer(load_and_compile(with_passphrase)));

    // The same JSON in a file is refused, and the passphrase is not quoted back.
    entry_points().clear_thread_key_ring();
    write_text(path("inline.json"), R"({"version": 1, "passphrase": "correct horse"})");
    ScopedEnv env("OVSEAL_KEYRING", path("inline.json").string());
    try {
        load_and_compile(with_passphrase);
        ADD_FAILURE() << "a passphrase inside a key-ring file was accepted";
    } catch (const ov::Exception& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(error_text(ErrorCode::usage)), std::string::npos) << what;
        EXPECT_NE(what.find("\"passphrase\""), std::string::npos) << what;
        EXPECT_EQ(what.find("correct horse"), std::string::npos) << what;
    }
}

TEST_F(OvsealFrontend, SetThreadKeyRingReportsBadJson) {
    std::string error;
    EXPECT_EQ(set_key_ring("{\"version\": 1, \"key_files\": [\"model.key\"", {}, &error), 2);
    EXPECT_NE(error.find("not valid JSON"), std::string::npos) << error;
    EXPECT_EQ(set_key_ring(R"({"version": 1, "key_file": ["model.key"]})", {}, &error), 2);
    EXPECT_NE(error.find("\"key_file\""), std::string::npos) << error;
    EXPECT_EQ(set_key_ring(R"({"version": 1, "key_files": "model.key"})", {}, &error), 2);
    EXPECT_NE(error.find("\"key_files\""), std::string::npos) << error;
    EXPECT_EQ(set_key_ring(R"({"version": 2, "key_files": ["model.key"]})", {}, &error), 2);
    EXPECT_NE(error.find("\"version\""), std::string::npos) << error;
    EXPECT_EQ(set_key_ring(R"({"version": 1, "key_files": ["absent.key"]})", dir->path(), &error), 3);
    EXPECT_NE(error.find("absent.key"), std::string::npos) << error;
    EXPECT_EQ(last_error_code(), 3);
    // A failed call leaves no override behind; a good one clears the last error.
    EXPECT_EQ(set_key_ring(R"({"version": 1, "key_files": ["model.key"]})", dir->path(), &error), 0);
    EXPECT_EQ(error, "");
    EXPECT_EQ(last_error_code(), 0);
}

TEST_F(OvsealFrontend, NoKeyRingSaysHowToConfigureOne) {
    ScopedEnv env("OVSEAL_KEYRING", std::nullopt);
    expect_load_error(sealed, ErrorCode::usage);
    std::string message;
    last_error_code(&message);
    EXPECT_NE(message.find("OVSEAL_KEYRING"), std::string::npos) << message;
}

TEST_F(OvsealFrontend, MissingKeyRingFileIsAnIoError) {
    ScopedEnv env("OVSEAL_KEYRING", path("absent.json").string());
    expect_load_error(sealed, ErrorCode::io);
}

TEST_F(OvsealFrontend, WrongKeyIsRefused) {
    ScopedEnv env("OVSEAL_KEYRING", path("wrong.json").string());
    expect_load_error(sealed, ErrorCode::no_matching_key);
}

TEST_F(OvsealFrontend, TamperedFileIsRefused) {
    ScopedEnv env("OVSEAL_KEYRING", path("keyring.json").string());
    auto bytes = read_bytes(sealed);
    bytes[bytes.size() - 100] ^= 0x01;  // inside the last chunk's ciphertext or tag
    write_bytes(path("tampered.ovseal"), bytes);
    expect_load_error(path("tampered.ovseal"), ErrorCode::payload_auth_failed);
    bytes = read_bytes(sealed);
    bytes.resize(bytes.size() - 1);
    write_bytes(path("truncated.ovseal"), bytes);
    expect_load_error(path("truncated.ovseal"), ErrorCode::truncated);
}

TEST_F(OvsealFrontend, SealedOnnxGivesTheSameOutputs) {
    const char* models = std::getenv("OVSEAL_TEST_MODELS");
    ASSERT_NE(models, nullptr) << "run through ctest, which generates the test models and sets OVSEAL_TEST_MODELS";
    const fs::path onnx = fs::path(models) / "onnx" / "model.onnx";
    const auto sealed_onnx = path("model-onnx.ovseal");
    ovseal::seal_model(onnx, sealed_onnx, {ovseal::Key::from_key_file(path("model.key"))});
    ScopedEnv env("OVSEAL_KEYRING", path("keyring.json").string());
    ov::Core core;
    expect_same_outputs(infer(core.compile_model(onnx.string(), "CPU")), infer(load_and_compile(sealed_onnx)));
}

TEST_F(OvsealFrontend, PlainModelsStillGoToOpenVinosFrontends) {
    ov::frontend::FrontEndManager manager;
    registered(manager);
    const auto ir = manager.load_by_model(plain.string());
    ASSERT_NE(ir, nullptr);
    EXPECT_EQ(ir->get_name(), "ir");
    const char* models = std::getenv("OVSEAL_TEST_MODELS");
    ASSERT_NE(models, nullptr);
    const auto onnx = manager.load_by_model((fs::path(models) / "onnx" / "model.onnx").string());
    ASSERT_NE(onnx, nullptr);
    EXPECT_EQ(onnx->get_name(), "onnx");
}

// ov::Core::read_model(path) in an application that knows nothing of ovseal: OpenVINO finds frontends in the
// folder of the libopenvino it loaded (dladdr), so the probe runs against a folder of symbolic links to the
// wheel's libraries plus the frontend, found first through LD_LIBRARY_PATH. The wheel itself is not touched.
class CoreDiscovery : public OvsealFrontend {
protected:
    static void SetUpTestSuite() {
        OvsealFrontend::SetUpTestSuite();
        libs = dir->path() / "openvino" / "libs";
        fs::create_directories(libs);
        for (const auto& entry : fs::directory_iterator(OVSEAL_OPENVINO_LIBS)) {
            fs::create_symlink(entry.path(), libs / entry.path().filename());
        }
        const fs::path frontend = OVSEAL_FRONTEND_LIBRARY;
        fs::create_symlink(frontend, libs / frontend.filename());
    }

    static RunResult probe(const fs::path& plain_model, const fs::path& sealed_model, const std::string& keyring) {
        return run({OVSEAL_FRONTEND_PROBE, plain_model.string(), sealed_model.string()},
                   {"LD_LIBRARY_PATH=" + libs.string(), "OVSEAL_KEYRING=" + keyring}, path("probe.log"));
    }

    static inline fs::path libs;
};

TEST_F(CoreDiscovery, CoreReadsAndCompilesTheSealedModel) {
    const auto result = probe(plain, sealed, path("keyring.json").string());
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("read_model: same outputs"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("compile_model: same outputs"), std::string::npos) << result.output;
}

TEST_F(CoreDiscovery, CoreReportsTheTypedError) {
    const auto result = probe(plain, sealed, path("wrong.json").string());
    EXPECT_EQ(result.exit_code, 3) << result.output;
    EXPECT_NE(result.output.find(error_text(ErrorCode::no_matching_key)), std::string::npos) << result.output;
}

TEST_F(CoreDiscovery, CoreStillReadsPlainOnnxBesideTheFrontend) {
    const char* models = std::getenv("OVSEAL_TEST_MODELS");
    ASSERT_NE(models, nullptr);
    const fs::path onnx = fs::path(models) / "onnx" / "model.onnx";
    const auto sealed_onnx = path("core-onnx.ovseal");
    ovseal::seal_model(onnx, sealed_onnx, {ovseal::Key::from_key_file(path("model.key"))});
    const auto result = probe(onnx, sealed_onnx, path("keyring.json").string());
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("compile_model: same outputs"), std::string::npos) << result.output;
}

}  // namespace
