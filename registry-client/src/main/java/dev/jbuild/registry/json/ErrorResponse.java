package dev.jbuild.registry.json;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The error body of the distribution API: {@code {"errors":[{"code","message","detail"}]}}
 * (distribution-spec "Error Codes").
 *
 * @param errors the errors, never null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ErrorResponse(@JsonProperty("errors") List<Entry> errors) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Copies. */
  public ErrorResponse {
    errors = errors == null ? List.of() : List.copyOf(errors);
  }

  /**
   * One error.
   *
   * @param code for example {@code MANIFEST_UNKNOWN}; may be null from non-conforming servers
   * @param message the human-readable message, may be null
   * @param detail unstructured detail, may be null
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Entry(
      @JsonProperty("code") String code,
      @JsonProperty("message") String message,
      @JsonProperty("detail") JsonNode detail) {

    /** {@code CODE: message}, or whichever of the two is present. */
    public String describe() {
      boolean hasCode = code != null && !code.isEmpty();
      boolean hasMessage = message != null && !message.isEmpty();
      if (hasCode && hasMessage) {
        return code + ": " + message;
      }
      return hasCode ? code : hasMessage ? message : "unknown error";
    }
  }

  /** Parses {@code body}; empty if it is not an error document with at least one error. */
  public static Optional<ErrorResponse> parse(byte[] body) {
    if (body == null || body.length == 0) {
      return Optional.empty();
    }
    try {
      ErrorResponse response = JSON.readValue(body, ErrorResponse.class);
      return response.errors().isEmpty() ? Optional.empty() : Optional.of(response);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** True if any error has {@code code}. */
  public boolean hasCode(String code) {
    return errors.stream().anyMatch(e -> code.equals(e.code()));
  }
}
