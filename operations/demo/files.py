"""Files for the demo's evidence, made on the spot: photographs and a one-page PDF."""

import io
import random

from PIL import Image, ImageDraw, ImageFilter


def photograph(seed: int, index: int, format: str) -> tuple[str, bytes, str]:
    """A 1200×900 picture with a photograph's gradients and grain, different for every
    ``seed`` and ``index`` (never the same bytes twice, as real photographs are not)."""
    rng = random.Random(seed * 10 + index)  # noqa: S311 (pictures, not secrets)
    image = Image.effect_noise((1200, 900), 30 + rng.randint(0, 30)).convert("RGB")
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(14):
        x, y, r = rng.randint(0, 1200), rng.randint(0, 900), rng.randint(80, 260)
        colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255), 110)
        draw.ellipse((x - r, y - r * 3 // 4, x + r, y + r * 3 // 4), fill=colour)
    draw.text((40, 40), f"Demo photograph {seed + 1}.{index + 1}", fill=(255, 255, 255, 255))
    image = image.filter(ImageFilter.GaussianBlur(1.1))
    content = io.BytesIO()
    image.save(content, format, **({"quality": 85} if format == "JPEG" else {}))
    extension = "jpg" if format == "JPEG" else "png"
    return f"photo-{seed + 1}-{index + 1}.{extension}", content.getvalue(), f"image/{format.lower()}"


def plan_pdf(name: str) -> bytes:
    """A small two-page PDF, written directly (no renderer needed): the learner's plan."""
    pages = [
        [f"Networking plan: {name}", "Aims for the year: three new partners, one funding lead."],
        ["Review dates", "Each quarter, with my manager; contacts' details kept under policy DP-04."],
    ]
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for lines in pages:
        text = " ".join(
            f"BT /F1 {16 if n == 0 else 11} Tf 72 {760 - 30 * n} Td ({_pdf_text(line)}) Tj ET"
            for n, line in enumerate(lines)
        )
        objects.append(f"<< /Length {len(text)} >>\nstream\n{text}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {len(objects)} 0 R "
            "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    content, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(content))
        content += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    table = len(content)
    content += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    content += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    content += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{table}\n%%EOF\n".encode()
    return content


def _pdf_text(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("’", "'")
