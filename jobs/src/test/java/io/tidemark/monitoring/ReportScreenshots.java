package io.tidemark.monitoring;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Screenshots of HTML reports in Debian's headless Chromium, and what their pixels show. */
final class ReportScreenshots {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  private ReportScreenshots() {}

  /** Pixels of the two colours looked for, and all pixels that are not (near) white. */
  record Pixels(long first, long second, long nonWhite) {}

  /** Opens {@code html} in headless Chromium at width x height and returns the screenshot. */
  static BufferedImage screenshot(Path html, Path workDir, int width, int height) throws IOException,
      InterruptedException {
    if (!Files.isExecutable(CHROMIUM)) {
      throw new AssertionError(CHROMIUM + " is missing: the drift report is checked in a real browser; install "
          + "Debian's chromium (apt-get install -y --no-install-recommends chromium; ./test installs it)");
    }
    Files.createDirectories(workDir);
    Path profile = Files.createTempDirectory(workDir, "profile");
    Path png = workDir.resolve("screenshot.png");
    Files.deleteIfExists(png);
    Path log = workDir.resolve("chromium.log");
    Process p = new ProcessBuilder(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile, "--screenshot=" + png,
        "--window-size=" + width + "," + height, html.toUri().toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    int exit = p.waitFor();
    if (exit != 0 || !Files.exists(png)) {
      throw new AssertionError("chromium exited " + exit + " without a screenshot " + png + "; its output: "
          + Files.readString(log));
    }
    return ImageIO.read(new File(png.toString()));
  }

  static Pixels count(BufferedImage img, Color first, Color second) {
    long a = 0;
    long b = 0;
    long nonWhite = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        if (rgb == (first.getRGB() & 0xffffff)) {
          a++;
        } else if (rgb == (second.getRGB() & 0xffffff)) {
          b++;
        }
        Color c = new Color(rgb);
        if (c.getRed() < 240 || c.getGreen() < 240 || c.getBlue() < 240) {
          nonWhite++;
        }
      }
    }
    return new Pixels(a, b, nonWhite);
  }
}
