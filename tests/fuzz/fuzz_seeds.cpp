// SPDX-License-Identifier: MIT
// Writes the seeds only xtnn can make: a model file and a checkpoint of small_network()
// (every layer kind), a dense-only model, and their model.json texts, as
// OUT/<target>/<name> for make_corpus.py --xtnn-seeds OUT.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "fuzz_targets.hpp"

namespace
{
void write(const std::filesystem::path& out, const char* target, const char* name,
           const xtnn_fuzz::bytes& data)
{
    std::filesystem::create_directories(out / target);
    std::ofstream(out / target / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

xtnn_fuzz::bytes member(const xtnn_fuzz::bytes& file, const std::string& name)
{
    for (auto& m : xtnn::io::parse_zip(file.data(), file.size(), "seed"))
    {
        if (m.name == name)
        {
            return m.data;
        }
    }
    throw xtnn::error("fuzz_seeds: no member " + name);
}
}  // namespace

int main(int argc, char** argv)
{
    if (argc != 2)
    {
        std::cerr << "usage: fuzz_seeds OUT\n";
        return 2;
    }
    const std::filesystem::path out = argv[1];
    const auto& model = xtnn_fuzz::model_seed();
    const auto& checkpoint = xtnn_fuzz::checkpoint_seed();
    const auto dense_only = xtnn::io::format_model(xtnn::network<float>(
        4, {xtnn::dense<float>(4, 3), xtnn::sigmoid<float>(), xtnn::dense<float>(3, 2),
            xtnn::softmax<float>()}));
    write(out, "model", "every_kind.xtnn", model);
    write(out, "model", "dense_only.xtnn", dense_only);
    write(out, "model_json", "every_kind.json", member(model, "model.json"));
    write(out, "checkpoint", "every_kind.ckpt", checkpoint);
    write(out, "checkpoint", "every_kind.xtnn", model);
    write(out, "checkpoint_json", "every_kind.json", member(checkpoint, "model.json"));
    return 0;
}
