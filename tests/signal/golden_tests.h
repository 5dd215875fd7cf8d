// The signal ops' golden cases (TFLM's test vectors in tests/signal/golden),
// shared by the host interpreter's tests (src/ops/signal_test.cc) and the
// micro runtime's (tests/micro/audio_frontend_test.cc). Each includes this
// file after defining EMBER_SIGNAL_GOLDEN_SUITE (the test suite's name) and
//   int RunGolden(const std::string& name, const std::string& code,
//                 std::vector<bool> stateful_outputs..., int frame_inputs,
//                 options builder)
// (the number of frames it checked), so no include guard.
TEST(EMBER_SIGNAL_GOLDEN_SUITE, Window) {
  for (int shift : {12, 2}) {
    EXPECT_EQ(
        RunGolden("window_shift" + std::to_string(shift), "SignalWindow",
                  {false, true}, 1,
                  [&](flexbuffers::Builder& f) { f.Int("shift", shift); }),
        1);
  }
}

TEST(EMBER_SIGNAL_GOLDEN_SUITE, FftAutoScale) {
  EXPECT_EQ(RunGolden("fft_auto_scale", "SignalFftAutoScale", {false}, 2, {}),
            5);
}

TEST(EMBER_SIGNAL_GOLDEN_SUITE, RfftInt16) {
  struct C {
    const char* name;
    int fft_length;
  };
  for (const C& c : {C{"rfft_512_480_a32767", 512},
                     C{"rfft_512_480_a2000", 512}, C{"rfft_64_2x50_a32767", 64},
                     C{"rfft_16_16_a32767", 16}, C{"rfft_8_5_a32767", 8},
                     C{"rfft_4_4_a32767", 4}, C{"rfft_128_3x128_a8000", 128}}) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(RunGolden(c.name, "SignalRfft", {false}, 1,
                        [&](flexbuffers::Builder& f) {
                          f.Int("T", 7);
                          f.Int("fft_length", c.fft_length);
                        }),
              2);
  }
}

TEST(EMBER_SIGNAL_GOLDEN_SUITE, Energy) {
  EXPECT_EQ(RunGolden("energy_full", "SignalEnergy", {false}, 1,
                      [](flexbuffers::Builder& f) {
                        f.Int("end_index", 33);
                        f.Int("start_index", 0);
                      }),
            2);
}

TEST(EMBER_SIGNAL_GOLDEN_SUITE, FilterBank) {
  EXPECT_EQ(
      RunGolden("filter_bank", "SignalFilterBank",
                {false, true, true, true, true, true}, 1,
                [](flexbuffers::Builder& f) { f.Int("num_channels", 6); }),
      2);
}

TEST(EMBER_SIGNAL_GOLDEN_SUITE, FilterBankSquareRoot) {
  EXPECT_EQ(RunGolden("filter_bank_sqrt", "SignalFilterBankSquareRoot",
                      {false, false}, 1, {}),
            3);
}

Options SpectralOptions(bool clamping) {
  return [clamping](flexbuffers::Builder& f) {
    f.Int("alternate_one_minus_smoothing", 15401);
    f.Int("alternate_smoothing", 983);
    f.Bool("clamping", clamping);
    f.Int("min_signal_remaining", 819);
    f.Int("num_channels", 10);
    f.Int("one_minus_smoothing", 15975);
    f.Int("smoothing", 409);
    f.Int("smoothing_bits", 10);
    f.Int("spectral_subtraction_bits", 14);
  };
}

TEST(EMBER_SIGNAL_GOLDEN_SUITE, SpectralSubtractionIsStateful) {
  for (bool clamping : {false, true}) {
    EXPECT_EQ(RunGolden(std::string("spectral_subtraction_clamp") +
                            (clamping ? "1" : "0"),
                        "SignalFilterBankSpectralSubtraction", {false}, 2,
                        SpectralOptions(clamping)),
              8);
  }
}

TEST(EMBER_SIGNAL_GOLDEN_SUITE, FilterBankLog) {
  struct C {
    int scale, bits;
  };
  for (const C& c : {C{64, 3}, C{1600, 0}, C{65536, 5}}) {
    EXPECT_EQ(RunGolden("filter_bank_log_s" + std::to_string(c.scale) + "_b" +
                            std::to_string(c.bits),
                        "SignalFilterBankLog", {false}, 1,
                        [&](flexbuffers::Builder& f) {
                          f.Int("input_correction_bits", c.bits);
                          f.Int("output_scale", c.scale);
                        }),
              1);
  }
}

TEST(EMBER_SIGNAL_GOLDEN_SUITE, Pcan) {
  EXPECT_EQ(RunGolden("pcan", "SignalPCAN", {false, false, true}, 1,
                      [](flexbuffers::Builder& f) { f.Int("snr_shift", 6); }),
            2);
}
