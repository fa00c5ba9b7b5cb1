// SPDX-License-Identifier: MIT
// A confusion matrix: how often each true class was predicted as each class, with the
// per-class recall and precision, printed as a table (rows = true class, columns =
// predicted class) like tiny-dnn's result object.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include <xtnn/error.hpp>

namespace xtnn
{
/// Counts of (true class, predicted class) pairs over `classes` classes.
class confusion_matrix
{
public:
    /// An empty matrix of classes x classes zeros.
    explicit confusion_matrix(std::size_t classes)
      : m_classes(classes)
      , m_counts(classes * classes, 0)
    {
    }

    /// Counts `predicted[i]` against `labels[i]` for every i.
    /// @throws shape_error when the counts differ or a class is >= `classes`.
    confusion_matrix(const std::vector<std::size_t>& predicted,
                     const std::vector<std::size_t>& labels, std::size_t classes)
      : confusion_matrix(classes)
    {
        if (predicted.size() != labels.size())
        {
            throw shape_error("xtnn::confusion_matrix: " + std::to_string(predicted.size()) +
                              " predictions for " + std::to_string(labels.size()) + " labels");
        }
        for (std::size_t i = 0; i < labels.size(); ++i)
        {
            add(labels[i], predicted[i]);
        }
    }

    /// Counts one sample. @throws shape_error when a class is >= classes().
    void add(std::size_t true_class, std::size_t predicted_class)
    {
        if (true_class >= m_classes || predicted_class >= m_classes)
        {
            throw shape_error("xtnn::confusion_matrix: class " +
                              std::to_string(std::max(true_class, predicted_class)) +
                              " is out of range; expected 0.." + std::to_string(m_classes - 1));
        }
        ++m_counts[true_class * m_classes + predicted_class];
    }

    std::size_t classes() const { return m_classes; }

    /// Samples of class `true_class` predicted as `predicted_class`.
    std::size_t count(std::size_t true_class, std::size_t predicted_class) const
    {
        return m_counts.at(true_class * m_classes + predicted_class);
    }

    /// Samples whose true class is `c` (a row sum).
    std::size_t true_total(std::size_t c) const
    {
        std::size_t sum = 0;
        for (std::size_t p = 0; p < m_classes; ++p)
        {
            sum += count(c, p);
        }
        return sum;
    }

    /// Samples predicted as `c` (a column sum).
    std::size_t predicted_total(std::size_t c) const
    {
        std::size_t sum = 0;
        for (std::size_t t = 0; t < m_classes; ++t)
        {
            sum += count(t, c);
        }
        return sum;
    }

    /// All samples counted.
    std::size_t total() const
    {
        std::size_t sum = 0;
        for (auto n : m_counts)
        {
            sum += n;
        }
        return sum;
    }

    /// Correct predictions (the diagonal) / total; 0 when empty.
    double accuracy() const
    {
        std::size_t correct = 0;
        for (std::size_t c = 0; c < m_classes; ++c)
        {
            correct += count(c, c);
        }
        return ratio(correct, total());
    }

    /// count(c, c) / true_total(c): the fraction of class c that was found; 0 when absent.
    double recall(std::size_t c) const { return ratio(count(c, c), true_total(c)); }

    /// count(c, c) / predicted_total(c): the fraction of "c" answers that were right.
    double precision(std::size_t c) const { return ratio(count(c, c), predicted_total(c)); }

    /// The table: a header row of predicted classes, one row per true class ending with its
    /// total and recall, a row of column totals and one of precisions, e.g.
    ///   true\pred      0      1    total  recall
    ///           0    970      3      973   99.7%
    std::string to_string() const
    {
        const std::size_t width = std::max<std::size_t>(7, std::to_string(total()).size() + 2);
        std::string text;
        const auto cell = [&](const std::string& value, std::size_t w)
        { text += std::string(w > value.size() ? w - value.size() : 0, ' ') + value; };
        cell("true\\pred", 9);
        for (std::size_t p = 0; p < m_classes; ++p)
        {
            cell(std::to_string(p), width);
        }
        cell("total", width + 2);
        cell("recall", 8);
        text += '\n';
        for (std::size_t t = 0; t < m_classes; ++t)
        {
            cell(std::to_string(t), 9);
            for (std::size_t p = 0; p < m_classes; ++p)
            {
                cell(std::to_string(count(t, p)), width);
            }
            cell(std::to_string(true_total(t)), width + 2);
            cell(percent(recall(t)), 8);
            text += '\n';
        }
        cell("total", 9);
        for (std::size_t p = 0; p < m_classes; ++p)
        {
            cell(std::to_string(predicted_total(p)), width);
        }
        cell(std::to_string(total()), width + 2);
        cell(percent(accuracy()), 8);
        text += '\n';
        cell("precision", 9);
        for (std::size_t p = 0; p < m_classes; ++p)
        {
            cell(percent(precision(p)), width);
        }
        text += '\n';
        return text;
    }

private:
    static double ratio(std::size_t part, std::size_t whole)
    {
        return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
    }

    static std::string percent(double fraction)
    {
        char buffer[16];
        std::snprintf(buffer, sizeof buffer, "%.1f%%", 100.0 * fraction);
        return buffer;
    }

    std::size_t m_classes;
    std::vector<std::size_t> m_counts;  // row-major (true, predicted)
};

/// Writes matrix.to_string().
inline std::ostream& operator<<(std::ostream& out, const confusion_matrix& matrix)
{
    return out << matrix.to_string();
}
}  // namespace xtnn
