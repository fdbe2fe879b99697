#!/usr/bin/env python3
"""A meeting for checking the diarizer independently of samples/Specialize.Diarization's own generator.

Voices and words are in none of the generator's sets (tuning, held-out, test); turns of 6 to 18 words, pauses of
0.3 to 1.5 s. Writes OUT.wav (16 kHz mono) and OUT.rttm (the reference). Needs espeak-ng and sox.

    eng/diarization-independent-meeting.py SEED SPEAKERS SECONDS OUT
    dotnet run --project samples/Specialize.Diarization -c Release -- OUT.wav --reference OUT.rttm
"""
import os
import random
import subprocess
import sys
import tempfile

VOICES = [("en-gb-x-rp+m7", 30, 160), ("en-us+f1", 70, 175), ("en-029+m3", 45, 150), ("en-gb-scotland+m5", 38, 170),
          ("en-us-nyc+f4", 62, 165), ("en-gb+f5", 80, 180), ("en-us+m8", 28, 155)]
WORDS = ("river market window orange careful quietly between yesterday thousand garden silver morning whisper number "
         "ladder travel simple mountain answer forest paper coffee station letter summer winter figure pattern distant "
         "honest kitchen engine signal harvest balance corner").split()


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    seed, speakers, seconds, out = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    if not 2 <= speakers <= len(VOICES):
        sys.exit(f"SPEAKERS must be between 2 and {len(VOICES)}, not {speakers}")
    rng = random.Random(seed)
    voices = VOICES[:]
    rng.shuffle(voices)
    voices = voices[:speakers]
    work = tempfile.mkdtemp(prefix="meeting-")
    t, parts, reference, last = 0.0, [], [], -1
    while t < seconds:
        s = rng.randrange(speakers)
        if s == last:
            s = (s + 1) % speakers
        last = s
        name, pitch, speed = voices[s]
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18)))
        raw, turn = os.path.join(work, f"{len(parts)}.raw.wav"), os.path.join(work, f"{len(parts)}.wav")
        subprocess.run(["espeak-ng", "-v", name, "-p", str(pitch), "-s", str(speed), "-w", raw, text], check=True)
        # Resampled to 16 kHz without dither (-D), leading and trailing silence trimmed.
        subprocess.run(["sox", "-D", raw, "-r", "16000", "-c", "1", "-b", "16", turn,
                        "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"], check=True)
        duration = float(subprocess.run(["soxi", "-D", turn], capture_output=True, text=True, check=True).stdout)
        parts.append(turn)
        reference.append((t, duration, f"spk{s}"))
        t += duration
        gap = rng.uniform(0.3, 1.5)
        pause = os.path.join(work, f"{len(parts)}.pause.wav")
        subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", pause, "trim", "0", f"{gap:.3f}"], check=True)
        parts.append(pause)
        t += gap
    subprocess.run(["sox"] + parts + [out + ".wav"], check=True)
    with open(out + ".rttm", "w") as f:
        for start, duration, speaker in reference:
            f.write(f"SPEAKER {os.path.basename(out)} 1 {start:.3f} {duration:.3f} <NA> <NA> {speaker} <NA> <NA>\n")
    print(f"{out}.wav: {speakers} speakers, {t:.1f} s")


if __name__ == "__main__":
    main()
