// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>

namespace granita {

/// Folder with the shared data (glue/<TASK>/*.tsv, vocab/): $GRANITA_DATA if set, otherwise
/// ../shared beside the source tree this binary was built from.
std::filesystem::path data_root();

/// data_root()/vocab/bert-base-uncased-vocab.txt
std::filesystem::path default_vocab_path();

} // namespace granita
