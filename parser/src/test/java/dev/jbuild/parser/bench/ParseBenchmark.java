package dev.jbuild.parser.bench;

import dev.jbuild.parser.DockerfileParser;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Warm parse time of a 5,000-instruction Dockerfile mixing every argument form (continuations,
 * JSON, heredocs, flags, ENV pairs, ONBUILD). Goal: under 100 ms. Run: {@code mvn -B -pl parser
 * -Pbench test-compile exec:exec}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ParseBenchmark {

  String text;

  /** Builds the input: 5,000 instructions in 20-instruction stages. */
  @Setup
  public void setUp() {
    StringBuilder s = new StringBuilder("# syntax=docker/dockerfile:1\nARG BASE=alpine\n");
    int count = 1;
    int stage = 0;
    String[] body = {
      "RUN --mount=type=cache,target=/root/.cache apt-get update && \\\n    apt-get install -y curl\n",
      "COPY --from=stage0 --chmod=0644 a b c /dest/\n",
      "ENV A=1 B=\"two words\" C=${A:-x}\n",
      "LABEL org.example.k=v other=\"x y\"\n",
      "CMD [\"/bin/sh\", \"-c\", \"echo \\\"hi\\\"\"]\n",
      "RUN <<EOF\nset -e\necho $HOME\nEOF\n",
      "WORKDIR /app/${X}\n",
      "EXPOSE 80/tcp 443\n",
      "HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/ || exit 1\n",
      "ONBUILD COPY . /src\n",
      "ARG V=1 W\n",
      "USER 1000:1000\n",
      "VOLUME [\"/data\", \"/logs\"]\n",
      "ADD --checksum=sha256:abc https://example.com/x.tar.gz /x/\n",
      "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n",
      "ENTRYPOINT [\"/entry\"]\n",
      "STOPSIGNAL SIGTERM\n",
      "COPY <<one.txt <<two.txt /files/\nfirst\none.txt\nsecond\ntwo.txt\n",
      "RUN echo a # not a comment \\\n# a comment line\n  && echo b\n",
    };
    while (count < 5000) {
      s.append("FROM ${BASE} AS stage").append(stage++).append('\n');
      count++;
      for (int i = 0; i < body.length && count < 5000; i++, count++) {
        s.append(body[i]);
      }
    }
    text = s.toString();
  }

  /** Parses the whole file. */
  @Benchmark
  public Dockerfile parse() throws DockerfileSyntaxException {
    return DockerfileParser.parse(text, "Dockerfile");
  }
}
