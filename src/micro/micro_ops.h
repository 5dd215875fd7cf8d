// The micro ops' registrations, one object per op (op_*.cc). Referenced
// only from MicroOpResolver's Add*() functions, so an op nobody adds is
// dropped by the linker (-ffunction-sections -fdata-sections
// -Wl,--gc-sections).
#pragma once

#include "micro/micro_op.h"

namespace ember::micro {

extern const MicroOpRegistration kMicroAdd;
extern const MicroOpRegistration kMicroAveragePool2D;
extern const MicroOpRegistration kMicroConv2D;
extern const MicroOpRegistration kMicroDepthwiseConv2D;
extern const MicroOpRegistration kMicroDequantize;
extern const MicroOpRegistration kMicroFullyConnected;
extern const MicroOpRegistration kMicroMaxPool2D;
extern const MicroOpRegistration kMicroMul;
extern const MicroOpRegistration kMicroQuantize;
extern const MicroOpRegistration kMicroReshape;
extern const MicroOpRegistration kMicroSoftmax;
extern const MicroOpRegistration kMicroSvdf;
extern const MicroOpRegistration kMicroCast;
extern const MicroOpRegistration kMicroConcatenation;
extern const MicroOpRegistration kMicroDiv;
extern const MicroOpRegistration kMicroMaximum;
extern const MicroOpRegistration kMicroMinimum;
extern const MicroOpRegistration kMicroStridedSlice;
extern const MicroOpRegistration kMicroSignalWindow;
extern const MicroOpRegistration kMicroSignalFftAutoScale;
extern const MicroOpRegistration kMicroSignalRfft;
extern const MicroOpRegistration kMicroSignalEnergy;
extern const MicroOpRegistration kMicroSignalFilterBank;
extern const MicroOpRegistration kMicroSignalFilterBankSquareRoot;
extern const MicroOpRegistration kMicroSignalFilterBankSpectralSubtraction;
extern const MicroOpRegistration kMicroSignalFilterBankLog;
extern const MicroOpRegistration kMicroSignalPCAN;

}  // namespace ember::micro
