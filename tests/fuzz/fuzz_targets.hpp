// SPDX-License-Identifier: MIT
// The fuzz targets: one per reader, each taking the bytes of a file. A reader given bad bytes
// must throw an xtnn::error; anything else (a crash, another exception, a sanitizer report, a
// hang, an allocation past libFuzzer's -malloc_limit_mb) is a finding. fuzz_main.cpp makes a
// libFuzzer binary of each (XTNN_BUILD_FUZZERS), test_fuzz_regressions.cpp replays the
// committed findings through the same functions in every build.
//
// Some targets fuzz a part of a container and build the rest from a fixed valid file, so the
// fuzzer explores what xtnn parses rather than stopping at a CRC or a zip header: model_json
// (model.json of a model file), checkpoint_json, keras_config (config.json of a .keras file)
// and torch_pickle (data.pkl of a PyTorch file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <xtnn/data/digits.hpp>
#include <xtnn/io/checkpoint.hpp>
#include <xtnn/io/idx.hpp>
#include <xtnn/io/interop.hpp>
#include <xtnn/io/model.hpp>
#include <xtnn/io/npy.hpp>
#include <xtnn/io/npz.hpp>
#include <xtnn/io/pickle.hpp>
#include <xtnn/io/safetensors.hpp>
#include <xtnn/io/torch.hpp>
#include <xtnn/io/weights.hpp>
#include <xtnn/io/zip.hpp>
#include <xtnn/nn.hpp>
#include <xtnn/train/fit.hpp>
#if defined(XTNN_HAS_KERAS)
#include <xtnn/io/keras.hpp>
#endif
#if defined(XTNN_HAS_ONNX)
#include <xtnn/io/onnx.hpp>
#endif

namespace xtnn_fuzz
{
using bytes = std::vector<std::uint8_t>;

/// A small network of every kind of layer a model file can hold, so model and checkpoint
/// files exercise every layer's reader.
inline xtnn::network<float> small_network()
{
    xtnn::network<float> net{xtnn::rescale(1 / 255.0), xtnn::dense(6, 8), xtnn::batch_norm(0.8),
                             xtnn::leaky_relu(0.2),     xtnn::dropout(0.25), xtnn::dense(5, xtnn::no_bias),
                             xtnn::layer_norm(1e-4),    xtnn::gelu("tanh"),  xtnn::elu(0.5),
                             xtnn::silu(),              xtnn::softplus(),    xtnn::tanh(),
                             xtnn::sigmoid(),           xtnn::identity(),    xtnn::relu(),
                             xtnn::dense(3),            xtnn::softmax()};
    std::mt19937_64 engine(7);
    xtnn::initialize(net, engine, xtnn::init_kind::he);
    return net;
}

/// The members of `file` with the one named `name` replaced by `content`, as a new archive.
inline bytes replace_member(const bytes& file, const std::string& name, const std::uint8_t* content,
                            std::size_t size)
{
    auto members = xtnn::io::parse_zip(file.data(), file.size(), "fuzz seed");
    for (auto& member : members)
    {
        if (member.name == name || (name.front() == '/' && member.name.size() >= name.size() &&
                                    member.name.compare(member.name.size() - name.size() + 1,
                                                        std::string::npos, name, 1) == 0))
        {
            member.data.assign(content, content + size);
        }
    }
    return xtnn::io::detail::format_zip(members, false, "fuzz");
}

inline void idx(const std::uint8_t* data, std::size_t size)
{
    (void)xtnn::io::parse_idx(data, size, "fuzz.idx");
}

inline void npy(const std::uint8_t* data, std::size_t size)
{
    (void)xtnn::io::parse_npy(data, size, "fuzz.npy");
}

inline void npz(const std::uint8_t* data, std::size_t size)
{
    (void)xtnn::io::parse_npz(data, size, "fuzz.npz");
}

inline void pickle(const std::uint8_t* data, std::size_t size)
{
    (void)xtnn::io::parse_pickle(data, size, "fuzz.pkl");
}

inline void torch(const std::uint8_t* data, std::size_t size)
{
    (void)xtnn::io::parse_torch_state_dict(data, size, "fuzz.pt");
}

inline void safetensors(const std::uint8_t* data, std::size_t size)
{
    (void)xtnn::io::parse_safetensors(data, size, "fuzz.safetensors");
}

inline void digits(const std::uint8_t* data, std::size_t size)
{
    (void)xtnn::data::parse_digits<float>(data, size, "fuzz.csv");
}

/// A weight file (npz or pickle) made into a network, as mnist_inference --weights does.
inline void weights(const std::uint8_t* data, std::size_t size)
{
    const auto net = xtnn::io::parse_network<float>(data, size, "fuzz.npz");
    const xtnn::matrix<float> x = xt::zeros<float>({std::size_t(1), net.inputs()});
    (void)net.predict(x);
}

inline void model(const std::uint8_t* data, std::size_t size)
{
    (void)xtnn::io::parse_model<float>(data, size, "fuzz.xtnn");
}

/// A whole model file made by save_model, the seed the JSON targets start from.
inline const bytes& model_seed()
{
    static const bytes file = xtnn::io::format_model(small_network());
    return file;
}

/// A checkpoint of a short run of small_network, the seed checkpoint_json starts from.
inline const bytes& checkpoint_seed()
{
    static const bytes file = []
    {
        auto net = small_network();
        xtnn::fit_progress<float> progress;
        xtnn::epoch_record epoch;
        epoch.epoch = 1;
        epoch.epochs = 2;
        epoch.steps = 3;
        epoch.loss = 0.9;
        progress.history.epochs = {epoch};
        progress.history.step_loss = {1.0, 0.8, 0.6};
        progress.order = {2, 0, 1};
        progress.learning_rate = 0.01;
        return xtnn::io::format_checkpoint(net, progress);
    }();
    return file;
}

inline void model_json(const std::uint8_t* data, std::size_t size)
{
    const bytes file = replace_member(model_seed(), "model.json", data, size);
    (void)xtnn::io::parse_model<float>(file.data(), file.size(), "fuzz.xtnn");
}

inline void checkpoint(const std::uint8_t* data, std::size_t size)
{
    (void)xtnn::io::parse_checkpoint<float>(data, size, "fuzz.ckpt");
}

inline void checkpoint_json(const std::uint8_t* data, std::size_t size)
{
    const bytes file = replace_member(checkpoint_seed(), "model.json", data, size);
    (void)xtnn::io::parse_checkpoint<float>(file.data(), file.size(), "fuzz.ckpt");
}

/// The file in tests/fixtures (XTNN_TEST_FIXTURES) the part-fuzzing targets start from.
inline bytes fixture(const std::string& relative)
{
    return xtnn::detail::read_file(std::string(XTNN_TEST_FIXTURES) + "/" + relative, "xtnn_fuzz");
}

inline void torch_pickle(const std::uint8_t* data, std::size_t size)
{
    static const bytes seed = fixture("torch/mlp_a.pt");
    const bytes file = replace_member(seed, "/data.pkl", data, size);
    (void)xtnn::io::parse_torch_state_dict(file.data(), file.size(), "fuzz.pt");
}

#if defined(XTNN_HAS_KERAS)
/// Keras .keras and .h5 files. libhdf5 1.10 is not hardened against hostile files, so a
/// finding inside H5* is reported to HDF5, not fixed here; keras_config fuzzes xtnn's part.
inline void keras(const std::uint8_t* data, std::size_t size)
{
    (void)xtnn::io::parse_keras<float>(bytes(data, data + size), "fuzz.keras");
}

inline void keras_config(const std::uint8_t* data, std::size_t size)
{
    static const bytes seed = fixture("keras/k3_extras.keras");
    (void)xtnn::io::parse_keras<float>(replace_member(seed, "config.json", data, size), "fuzz.keras");
}
#endif

#if defined(XTNN_HAS_ONNX)
inline void onnx(const std::uint8_t* data, std::size_t size)
{
    (void)xtnn::io::parse_onnx<float>(data, size, "fuzz.onnx");
}
#endif

/// Any model file, as mnist_inference --weights reads one: the format told by its bytes,
/// then read once as it is and once with a layer list (for state_dicts and bare tensors).
/// Keras files are left to the keras targets.
inline void import_model(const std::uint8_t* data, std::size_t size)
{
    const bytes file(data, data + size);
    // Keras files go to libhdf5, which the keras target fuzzes on its own (see README.md).
    const auto format = xtnn::io::detail::format_of_bytes(file, "fuzz.model");
    if (format == xtnn::io::model_format::keras || format == xtnn::io::model_format::hdf5)
    {
        return;
    }
    try
    {
        (void)xtnn::io::import_model_bytes<float>(file, "fuzz.model");
    }
    catch (const xtnn::error&)
    {
    }
    xtnn::io::import_options options;
    options.layers = "dense:4,relu,dense:2";
    options.inputs = 3;
    (void)xtnn::io::import_model_bytes<float>(file, "fuzz.model", options);
}

using entry = void (*)(const std::uint8_t*, std::size_t);

struct target
{
    const char* name;
    entry run;
};

/// Every target, by the name its binary (fuzz_<name>) and regression folder carry.
inline const std::vector<target>& targets()
{
    static const std::vector<target> all = {
        {"idx", idx},
        {"npy", npy},
        {"npz", npz},
        {"pickle", pickle},
        {"torch", torch},
        {"torch_pickle", torch_pickle},
        {"safetensors", safetensors},
        {"digits", digits},
        {"weights", weights},
        {"model", model},
        {"model_json", model_json},
        {"checkpoint", checkpoint},
        {"checkpoint_json", checkpoint_json},
        {"import_model", import_model},
#if defined(XTNN_HAS_KERAS)
        {"keras", keras},
        {"keras_config", keras_config},
#endif
#if defined(XTNN_HAS_ONNX)
        {"onnx", onnx},
#endif
    };
    return all;
}
}  // namespace xtnn_fuzz
