package io.tidemark.util;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleDeserializers;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Optional;

/**
 * Jackson reads and writes an {@link Optional} field as its value or JSON null (jackson-datatype-jdk8 does this
 * too, but it is not on Spark's class path).
 */
public final class OptionalAsNullModule extends SimpleModule {
  @SuppressWarnings({"unchecked", "rawtypes"})
  public OptionalAsNullModule() {
    addSerializer((Class) Optional.class, new StdSerializer<Optional<?>>(Optional.class, false) {
      @Override
      public void serialize(Optional<?> value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        provider.defaultSerializeValue(value.orElse(null), gen);
      }
    });
    setDeserializers(new SimpleDeserializers() {
      @Override
      public JsonDeserializer<?> findBeanDeserializer(JavaType type, DeserializationConfig config,
          BeanDescription bean) {
        return type.hasRawClass(Optional.class) ? new OptionalDeserializer(type.containedType(0)) : null;
      }
    });
  }

  private static final class OptionalDeserializer extends JsonDeserializer<Optional<?>> {
    private final JavaType valueType;

    OptionalDeserializer(JavaType valueType) {
      this.valueType = valueType;
    }

    @Override
    public Optional<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return Optional.ofNullable(ctxt.readValue(p, valueType));
    }

    @Override
    public Optional<?> getNullValue(DeserializationContext ctxt) {
      return Optional.empty();
    }

    @Override
    public Object getAbsentValue(DeserializationContext ctxt) {
      return Optional.empty();
    }
  }
}
