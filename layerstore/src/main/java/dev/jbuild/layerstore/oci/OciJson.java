package dev.jbuild.layerstore.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;

/**
 * The one JSON mapper for image wire types. Unknown fields are ignored (the specs require it), null
 * fields are omitted, and output is compact with fields in declaration order, so the same value
 * always serializes to the same bytes.
 *
 * <p>Callers that hashed JSON must keep those bytes: parse them for reading, never re-serialize
 * them to publish or push.
 */
public final class OciJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private OciJson() {}

  /** The shared mapper; thread-safe, do not reconfigure. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Serializes {@code value} to compact UTF-8 JSON. */
  public static byte[] toBytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  /**
   * Parses {@code bytes} as {@code type}.
   *
   * @throws IOException if the bytes are not valid JSON for the type
   */
  public static <T> T fromBytes(byte[] bytes, Class<T> type) throws IOException {
    return MAPPER.readValue(bytes, type);
  }
}
