// SPDX-License-Identifier: Apache-2.0
// Process hardening follows the plaintext's lifetime (include/ovseal/hardening.hpp): non-dumpable from the first
// sealed model held to the last one released, configurable. (Seen from outside, as an unprivileged user, in
// tests/memory.)

#include <gtest/gtest.h>
#include <sys/prctl.h>

#include "test_support.hpp"

namespace {

using namespace ovseal_test;

int dumpable() {
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
}

class Hardening : public ::testing::Test {
protected:
    void SetUp() override {
        saved = ovseal::hardening();
        if (dumpable() != 1) {
            // ctest runs each test in its own process; run together, an ONNX model loaded earlier leaves the
            // process hardened for good, by design.
            GTEST_SKIP() << "this process is already non-dumpable";
        }
        xml = write_model(make_mlp(64, 31), dir.path(), "mlp");
        sealed = dir / "mlp.ovseal";
        ovseal::seal_model(xml, sealed, {key});
    }
    void TearDown() override { ovseal::set_hardening(saved); }

    ovseal::Hardening saved;
    TempDir dir;
    ovseal::Key key = ovseal::Key::from_bytes(key_bytes(701));
    fs::path xml, sealed;
};

TEST_F(Hardening, NonDumpableFromTheFirstModelOnAndAfterItsRelease) {
    ovseal::set_hardening({});
    ov::Core core;
    {
        auto first = ovseal::compile_model(core, sealed, key);
        EXPECT_EQ(dumpable(), 0) << "a sealed model is held";
        {
            auto second = ovseal::read_model(core, sealed, key);
            EXPECT_EQ(dumpable(), 0);
        }
        EXPECT_EQ(dumpable(), 0) << "the first model is still held";
        (void)infer(first);
    }
    // OpenVINO's copies of the model (repacked weights, the XML's DOM) stay in the memory it freed, unwiped.
    EXPECT_EQ(dumpable(), 0) << "nothing sealed is held any more, but freed memory may still hold the model";
}

TEST_F(Hardening, CanBeTurnedOff) {
    ovseal::Hardening off;
    off.non_dumpable = false;
    ovseal::set_hardening(off);
    EXPECT_FALSE(ovseal::hardening().non_dumpable);
    ov::Core core;
    auto compiled = ovseal::compile_model(core, sealed, key);
    EXPECT_EQ(dumpable(), 1);
}

}  // namespace
