package io.tidemark.sagemaker;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SageMakerDefinitionsTest {
  @TempDir
  Path dir;

  static String fixture(String name) throws Exception {
    return new String(SageMakerDefinitionsTest.class.getResourceAsStream("/sagemaker/" + name).readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void scratch() throws Exception {
    for (String f : new String[] {"customer-profiles.json", "products.json"}) {
      SageMakerImport.Result r = SageMakerImport.fromJson(fixture(f), f, dir, SageMakerImport.Options.defaults());
      System.out.println(r.yaml());
      r.report().forEach(l -> System.out.println("REPORT " + l));
      System.out.println(r.group());
      SageMakerExport.Result e = SageMakerExport.request(r.group(), SageMakerExport.Options.defaults());
      System.out.println(e.json());
      e.report().forEach(l -> System.out.println("EXPORT " + l));
    }
  }
}
