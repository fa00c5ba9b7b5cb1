// SPDX-License-Identifier: MIT
// confusion_matrix: counts, totals, recall and precision, and the printed table.
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/eval/confusion.hpp>

using Catch::Matchers::Contains;

TEST_CASE("confusion: counts true classes by row and predictions by column")
{
    //            true:  0  0  0  1  1  2  2  2  2
    const std::vector<std::size_t> labels{0, 0, 0, 1, 1, 2, 2, 2, 2};
    const std::vector<std::size_t> predicted{0, 0, 1, 1, 1, 2, 2, 0, 2};
    const xtnn::confusion_matrix m(predicted, labels, 3);
    REQUIRE(m.classes() == 3);
    REQUIRE(m.count(0, 0) == 2);
    REQUIRE(m.count(0, 1) == 1);
    REQUIRE(m.count(2, 0) == 1);
    REQUIRE(m.count(2, 2) == 3);
    REQUIRE(m.true_total(2) == 4);
    REQUIRE(m.predicted_total(0) == 3);
    REQUIRE(m.total() == 9);
    REQUIRE(m.accuracy() == Approx(7.0 / 9.0));
    REQUIRE(m.recall(0) == Approx(2.0 / 3.0));
    REQUIRE(m.precision(1) == Approx(2.0 / 3.0));
    REQUIRE(m.recall(1) == 1.0);
}

TEST_CASE("confusion: prints a table with totals, recall and precision")
{
    const xtnn::confusion_matrix m({0, 0, 1, 1, 1, 0}, {0, 0, 1, 1, 0, 1}, 2);
    const std::string expected = "true\\pred      0      1    total  recall\n"
                                 "        0      2      1        3   66.7%\n"
                                 "        1      1      2        3   66.7%\n"
                                 "    total      3      3        6   66.7%\n"
                                 "precision  66.7%  66.7%\n";
    REQUIRE(m.to_string() == expected);
    std::ostringstream out;
    out << m;
    REQUIRE(out.str() == expected);
}

TEST_CASE("confusion: wide counts widen every column")
{
    xtnn::confusion_matrix m(2);
    for (int i = 0; i < 123456; ++i)
    {
        m.add(1, 1);
    }
    const std::string text = m.to_string();
    REQUIRE_THAT(text, Contains("  123456") && Contains("100.0%"));
    std::istringstream lines(text);
    std::string header, row0;
    std::getline(lines, header);
    std::getline(lines, row0);
    REQUIRE(header.size() == row0.size());  // columns line up
}

TEST_CASE("confusion: rejects mismatched counts and classes out of range")
{
    REQUIRE_THROWS_AS(xtnn::confusion_matrix({0, 1}, {0}, 2), xtnn::shape_error);
    REQUIRE_THROWS_WITH(xtnn::confusion_matrix({0, 3}, {0, 1}, 3),
                        Contains("class 3") && Contains("expected 0..2"));
    const xtnn::confusion_matrix empty(4);
    REQUIRE(empty.accuracy() == 0.0);
    REQUIRE(empty.recall(2) == 0.0);
}
