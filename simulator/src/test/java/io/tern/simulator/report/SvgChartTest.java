package io.tern.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SvgChartTest {
  @Test
  void axesHaveRoundTicksThatCoverTheData() {
    SvgChart.Scale cost = SvgChart.Scale.of(0, 19.9);
    assertThat(cost.ticks()).containsExactly(0.0, 5.0, 10.0, 15.0, 20.0);
    assertThat(cost.label(15)).isEqualTo("15");

    SvgChart.Scale small = SvgChart.Scale.of(0, 0.53);
    assertThat(small.max()).isGreaterThanOrEqualTo(0.53);
    assertThat(small.ticks()).extracting(small::label).containsExactly("0.0", "0.2", "0.4", "0.6");

    SvgChart.Scale quarter = SvgChart.Scale.of(0, 0.9);
    assertThat(quarter.ticks()).extracting(quarter::label).contains("0.25", "0.75");

    SvgChart.Scale signed = SvgChart.Scale.of(-445.9, 72);
    assertThat(signed.min()).isLessThanOrEqualTo(-445.9);
    assertThat(signed.max()).isGreaterThanOrEqualTo(72);
    assertThat(signed.ticks()).contains(0.0);
    assertThat(signed.ticks().size()).isBetween(4, 7);
  }

  @Test
  void aNegativeBarHangsBelowTheZeroLineAndKeepsItsLabel() {
    String svg = SvgChart.bars("% saved", List.of("a", "b"), List.of(55.0, -445.9));

    Matcher rect =
        Pattern.compile(
                "<rect x=\"[0-9.]+\" y=\"([0-9.]+)\" width=\"[0-9.]+\" height=\"([0-9.]+)\" fill=\"#[0-9a-fA-F]{6}\"/>")
            .matcher(svg);
    assertThat(rect.find()).isTrue();
    double upTop = Double.parseDouble(rect.group(1));
    double upHeight = Double.parseDouble(rect.group(2));
    assertThat(rect.find()).isTrue();
    double downTop = Double.parseDouble(rect.group(1));
    double downHeight = Double.parseDouble(rect.group(2));
    // The positive bar ends at the zero line where the negative one starts; heights scale.
    assertThat(upTop + upHeight).isCloseTo(downTop, org.assertj.core.data.Offset.offset(0.2));
    assertThat(downHeight / upHeight)
        .isCloseTo(445.9 / 55.0, org.assertj.core.data.Offset.offset(0.1));
    assertThat(svg).contains(">-445.9<").contains(">55.0<");
  }

  @Test
  void dollarsAndSpansReadAsPeopleWriteThem() {
    assertThat(HtmlReport.usd(-3243.65)).isEqualTo("-$3,243.65");
    assertThat(HtmlReport.usd(72113.4)).isEqualTo("$72,113.40");
    assertThat(HtmlReport.usd(-0.001)).isEqualTo("$0.00");
    assertThat(HtmlReport.span(0.0119)).isEqualTo("43 s");
    assertThat(HtmlReport.span(0.5)).isEqualTo("30.0 min");
    assertThat(HtmlReport.span(3584.2)).isEqualTo("3584.2 h");
  }
}
