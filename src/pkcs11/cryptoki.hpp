// SPDX-License-Identifier: Apache-2.0
#pragma once

// The PKCS#11 (Cryptoki) types and constants, from p11-kit's header. Only src/pkcs11/ includes this.

#include <p11-kit/pkcs11.h>

// PKCS#11 3.0 names that older headers lack (values from the 3.0 specification).
#ifndef CKK_EC_EDWARDS
#define CKK_EC_EDWARDS (0x40UL)
#endif
#ifndef CKM_EC_EDWARDS_KEY_PAIR_GEN
#define CKM_EC_EDWARDS_KEY_PAIR_GEN (0x1055UL)
#endif
#ifndef CKM_EDDSA
#define CKM_EDDSA (0x1057UL)
#endif
