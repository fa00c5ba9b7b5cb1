// SPDX-License-Identifier: MIT
// Keras-like progress output for fit(): one line per epoch
//   Epoch 3/10 - 60/60 - 0.1s - 2ms/step - loss: 1.3059 - accuracy: 0.7682 - val_loss: ...
// and, when the stream is a terminal, a live bar redrawn in place during the epoch.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <ostream>
#include <string>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#include <xtnn/train/history.hpp>

namespace xtnn
{
/// How much fit() prints.
enum class verbosity
{
    silent,  ///< nothing (libraries, tests)
    epochs,  ///< one line per epoch
    bar      ///< a live bar during each epoch when the stream is a terminal, then its line
};

/// The epoch's summary line, without a newline:
/// "Epoch 3/10 - 60/60 - 0.1s - 2ms/step - loss: 1.3059 - accuracy: 0.7682" followed by
/// " - val_loss: 0.1234 - val_accuracy: 0.9650" when the epoch was validated.
inline std::string format_epoch_line(const epoch_record& record)
{
    char buffer[256];
    const double per_step =
        record.steps ? record.train_seconds / static_cast<double>(record.steps) : 0.0;
    char step_time[32];
    if (per_step >= 1e-3)
    {
        std::snprintf(step_time, sizeof step_time, "%.0fms/step", per_step * 1e3);
    }
    else
    {
        std::snprintf(step_time, sizeof step_time, "%.0fus/step", per_step * 1e6);
    }
    int length = std::snprintf(buffer, sizeof buffer,
                               "Epoch %zu/%zu - %zu/%zu - %.1fs - %s - loss: %.4f - accuracy: %.4f",
                               record.epoch, record.epochs, record.steps, record.steps,
                               record.seconds, step_time, record.loss, record.accuracy);
    if (record.has_validation() && length > 0 && static_cast<std::size_t>(length) < sizeof buffer)
    {
        std::snprintf(buffer + length, sizeof buffer - static_cast<std::size_t>(length),
                      " - val_loss: %.4f - val_accuracy: %.4f", record.val_loss,
                      record.val_accuracy);
    }
    return buffer;
}

/// True when `out` is std::cerr (or std::cout) and that stream is a terminal.
inline bool is_terminal(const std::ostream* out)
{
#if defined(__unix__) || defined(__APPLE__)
    if (out == &std::cerr || out == &std::clog)
    {
        return isatty(STDERR_FILENO) != 0;
    }
    if (out == &std::cout)
    {
        return isatty(STDOUT_FILENO) != 0;
    }
#else
    (void)out;
#endif
    return false;
}

/// Writes fit()'s progress to a stream. step() is cheap when nothing is drawn: the live bar
/// is redrawn at most every 0.1 s and formats into a fixed buffer (no allocation).
class progress_printer
{
public:
    /// `out` nullptr means std::cerr. The live bar needs verbosity::bar and a terminal.
    progress_printer(verbosity level, std::ostream* out)
      : progress_printer(level, out, is_terminal(out ? out : &std::cerr))
    {
    }

    /// The clock the bar's throttle and ETA read: steady_clock's, or a test's own, so that
    /// what is drawn does not depend on how fast the machine runs.
    using clock = std::chrono::steady_clock::time_point (*)();

    /// As above, with `terminal` saying whether `out` is one (tests force the bar) and the
    /// clock to read.
    progress_printer(verbosity level, std::ostream* out, bool terminal,
                     clock now = &std::chrono::steady_clock::now)
      : m_level(level)
      , m_out(out ? out : &std::cerr)
      , m_live(level == verbosity::bar && terminal)
      , m_now(now)
    {
    }

    bool live() const { return m_live; }

    /// Starts epoch `epoch` (1-based) of `epochs`, which will take `steps` steps.
    void begin_epoch(std::size_t epoch, std::size_t epochs, std::size_t steps)
    {
        m_epoch = epoch;
        m_epochs = epochs;
        m_steps = steps;
        m_start = m_now();
        m_last_draw = m_start;
    }

    /// After `done` steps with running mean loss and accuracy: redraws the live bar.
    void step(std::size_t done, double loss, double accuracy)
    {
        if (!m_live)
        {
            return;
        }
        const auto now = m_now();
        if (done != m_steps && now - m_last_draw < std::chrono::milliseconds(100))
        {
            return;
        }
        m_last_draw = now;
        const double elapsed = std::chrono::duration<double>(now - m_start).count();
        const double eta =
            done ? elapsed / static_cast<double>(done) * static_cast<double>(m_steps - done) : 0.0;
        constexpr std::size_t width = 30;
        char bar[width + 1];
        const std::size_t filled = m_steps ? done * width / m_steps : width;
        for (std::size_t i = 0; i < width; ++i)
        {
            bar[i] = i < filled ? '=' : (i == filled ? '>' : '.');
        }
        bar[width] = '\0';
        char line[256];
        std::snprintf(line, sizeof line,
                      "\rEpoch %zu/%zu - %zu/%zu [%s] - ETA: %.0fs - loss: %.4f - accuracy: %.4f",
                      m_epoch, m_epochs, done, m_steps, bar, eta, loss, accuracy);
        *m_out << line << std::flush;
    }

    /// Prints the epoch's line (replacing the live bar).
    void end_epoch(const epoch_record& record)
    {
        if (m_level == verbosity::silent)
        {
            return;
        }
        if (m_live)
        {
            *m_out << "\r\x1b[K";  // back to column 0, erase the bar
        }
        *m_out << format_epoch_line(record) << '\n' << std::flush;
    }

    /// Prints a message line (e.g. early stopping) unless silent.
    void note(const std::string& message)
    {
        if (m_level != verbosity::silent)
        {
            *m_out << message << '\n' << std::flush;
        }
    }

private:
    verbosity m_level;
    std::ostream* m_out;
    bool m_live;
    clock m_now;
    std::size_t m_epoch = 0, m_epochs = 0, m_steps = 0;
    std::chrono::steady_clock::time_point m_start, m_last_draw;
};
}  // namespace xtnn
