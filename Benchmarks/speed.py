"""The driver of Benchmarks/speed.sh (see there): every ratio, each CPU path, raw rows kept."""
import argparse, csv, datetime, json, os, re, shlex, statistics, subprocess, sys, tempfile, time

p = argparse.ArgumentParser()
p.add_argument('--root', required=True)
p.add_argument('--quick', action='store_true')
p.add_argument('--rounds', type=int)
p.add_argument('--paths')
p.add_argument('--baseline', help='another ae-filter binary, run beside this one')
p.add_argument('--images', type=int, help='test images per filter run (default 10,000; --quick 1,000)')
p.add_argument('--one-image-rounds', type=int)
p.add_argument('--train-iterations', type=int, help='U-Net training steps per run (default 60; --quick 10)')
a = p.parse_args()
root = a.root
rounds = a.rounds or 3
images = a.images or (1000 if a.quick else 10000)
one_image_rounds = a.one_image_rounds or (30 if a.quick else 150)
train_iterations = a.train_iterations or (10 if a.quick else 60)
tutorial_iterations = 600 if a.quick else 4800
data = os.environ.get('AE_FILTER_DATA') or os.path.join(
    os.environ.get('XDG_CACHE_HOME', os.path.expanduser('~/.cache')), 'ae-filter/fashion-mnist')
binary = os.path.join(root, '.build/release/ae-filter')
static = os.path.join(root, '.build-static/release/ae-filter')
one_image_binary = static if os.path.exists(static) else binary
# ImageMagick's own convert, not a wrapper script in front of it (latency.sh does the same).
convert = '/usr/bin/convert'
has_convert = os.path.exists(convert) and b'ImageMagick' in subprocess.run(
    [convert, '-version'], capture_output=True).stdout
blind = os.path.join(root, 'Sources/CAEEmbeddedModels/blind.safetensors')
tutorial = os.path.join(root, 'Sources/CAEEmbeddedModels/tutorial.safetensors')
reference = os.path.join(root, 'Benchmarks/reference')
shirt = os.path.join(root, 'Samples/shirt.png')
BLIND_MFLOP = 145.0  # products per image through patches: 2·m·n·k over the U-Net's 11 convolutions

flags = set(open('/proc/cpuinfo').read().split('flags')[1].split('\n')[0].split())
cpu = subprocess.run(['lscpu'], capture_output=True, text=True).stdout
cpu_name = re.search(r'Model name:\s*(.*)', cpu).group(1).strip()
family = re.search(r'cpu family\s*:\s*(\d+)', open('/proc/cpuinfo').read()).group(1)
model = re.search(r'\nmodel\s*:\s*(\d+)', open('/proc/cpuinfo').read()).group(1)
available = [x for x, need in (('avx512', {'avx512f', 'fma'}), ('avx2', {'avx2', 'fma'})) if need <= flags]
paths = a.paths.split() if a.paths else available
missing = [x for x in paths if x not in available]
paths = [x for x in paths if x in available]

now = datetime.datetime.now(datetime.timezone.utc)
slug = re.sub(r'[^a-z0-9]+', '-', f'{cpu_name} {os.cpu_count()}c'.lower()).strip('-')
run_dir = os.path.join(root, 'Benchmarks/runs', f'{now:%Y-%m-%d}-{slug}')
os.makedirs(run_dir, exist_ok=True)
stem = os.path.join(run_dir, f'speed-{now:%H%M}Z')
rev = subprocess.run(['git', '-C', root, 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()
dirty = subprocess.run(['git', '-C', root, 'status', '--porcelain', '--untracked-files=no'], capture_output=True,
                       text=True).stdout.strip()
report = open(stem + '.txt', 'w')
csv_file = open(stem + '.csv', 'w', newline='')
rows = csv.writer(csv_file)
rows.writerow(['path', 'group', 'case', 'round', 'seconds', 'count', 'per_second'])


def say(line=''):
    print(line, flush=True)
    report.write(line + '\n')
    report.flush()


say('Benchmarks/speed.sh ' + ' '.join(shlex.quote(x) for x in sys.argv[3:]))
say(f'{now:%Y-%m-%dT%H:%MZ}, {cpu_name} (family {family} model {model}), {os.cpu_count()} cores, '
    f'load average {os.getloadavg()[0]:.1f}; git {rev}{" (with local changes)" if dirty else ""}')
say(f'paths: {" ".join(paths)}' + (f' (this CPU lacks: {" ".join(missing)})' if missing else '')
    + f'; {images} images, {rounds} rounds interleaved; one image: {one_image_rounds} rounds, {one_image_binary}')
if a.baseline:
    say(f'baseline binary: {a.baseline}')

work = tempfile.mkdtemp(prefix='ae-filter-speed-')
subprocess.run([binary, 'data', 'export', '--data', data, '--split', 'test', '--out', f'{work}/all'], check=True,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
names = sorted(os.listdir(f'{work}/all'))[:images]
os.makedirs(f'{work}/in')
for name in names:
    os.link(f'{work}/all/{name}', f'{work}/in/{name}')
with open(f'{work}/stream.png', 'wb') as out:
    for name in names:
        out.write(open(f'{work}/in/{name}', 'rb').read())
files = [f'{work}/in/{n}' for n in names]
counter = [0]


def fresh():
    counter[0] += 1
    return f'{work}/out-{counter[0]}'


def timed(argv, env, stdin=None, stdout=subprocess.DEVNULL):
    start = time.perf_counter()
    result = subprocess.run(argv, env={**os.environ, **env}, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f'failed ({result.returncode}): {" ".join(argv)}\n{result.stderr.decode()[-2000:]}')
    return seconds, result


def peak(path):
    exe = f'{work}/peak'
    if not os.path.exists(exe):
        subprocess.run(['cc', '-O2', '-pthread', os.path.join(root, 'Benchmarks/peak.c'), '-o', exe], check=True)
    return float(subprocess.run([exe, str(os.cpu_count()), path], capture_output=True, text=True).stdout)


def binaries():
    return [('', binary)] + ([(' [baseline]', a.baseline)] if a.baseline else [])


# A baseline binary elsewhere finds this build's modules (the blas backend) through the path.
modules = os.path.join(root, '.build/x86_64-unknown-linux-gnu/lib/ae-filter/plugins')
if a.baseline and os.path.isdir(modules):
    os.environ['AE_FILTER_PLUGIN_PATH'] = modules


summary = []
for path in paths:
    times = {}
    ae_env = {'AE_FILTER_CPU_PATH': path}
    torch_env = {}
    if path == 'avx2':
        ae_env['OPENBLAS_CORETYPE'] = 'Haswell'
        torch_env = {'ATEN_CPU_CAPABILITY': 'avx2', 'DNNL_MAX_CPU_ISA': 'AVX2'}
    say()
    gflops_peak = peak(path)
    say(f'== path {path}: {" ".join(f"{k}={v}" for k, v in {**ae_env, **torch_env}.items())}; '
        f'peak {gflops_peak:.0f} GFLOP/s (FMA loop, {os.cpu_count()} threads)')

    def group(name, anchor, cases, count, n_rounds):
        """cases: (label, run() -> seconds or (seconds, per_second)); the anchor's label first."""
        results = {label: [] for label, _ in cases}
        for r in range(n_rounds):
            for label, run in cases:
                got = run()
                seconds, rate = got if isinstance(got, tuple) else (got, count / got)
                results[label].append(rate)
                times.setdefault(label, []).append(seconds)
                rows.writerow([path, name, label, r + 1, f'{seconds:.4f}', count, f'{rate:.2f}'])
                csv_file.flush()
        base = statistics.median(results[anchor])
        say(f'-- {name}: medians of {n_rounds} interleaved rounds; ratio to {anchor}'
            + (' (time ÷ its time)' if name == 'one image' else ''))
        for label, _ in cases:
            rate = statistics.median(results[label])
            if name == 'one image':
                say(f'{1e3 / rate:8.2f} ms  {base / rate:5.2f}x  {label}')
            else:
                extra = f'  ({rate * BLIND_MFLOP / 1e3:.1f} GFLOP/s, {rate * BLIND_MFLOP / 1e3 / gflops_peak:.0%} of peak)' \
                    if 'ae-filter blind' in label else ''
                say(f'{rate:9.1f} /s  {rate / base:5.2f}x  {label}{extra}')
            summary.append((path, name, label, rate, rate / base if name != 'one image' else base / rate))

    def filter_folder(exe, model):
        return lambda: timed([exe, '--model', model, '--noise', '0.5', '-o', fresh() + '/', f'{work}/in'], ae_env)[0]

    def filter_stream(exe, model):
        def run():
            with open(f'{work}/stream.png', 'rb') as src, open(fresh(), 'wb') as dst:
                return timed([exe, '--model', model, '--noise', '0.5'], ae_env, stdin=src, stdout=dst)[0]
        return run

    def torch_filter(ckpt):
        return lambda: timed(['python3', f'{reference}/torch_filter.py', ckpt, '--noise', '0.5', '--out', fresh()]
                             + files, torch_env)[0]

    cases = [('PyTorch + Pillow, blind U-Net, files -> folder', torch_filter(blind))]
    for tag, exe in binaries():
        cases += [(f'ae-filter blind folder -> folder{tag}', filter_folder(exe, 'blind')),
                  (f'ae-filter blind PNG stream -> PNG stream{tag}', filter_stream(exe, 'blind'))]
    # PyTorch's start-up (one image), to show its rate without it where few images make it weigh.
    first = files[:1]
    cases.append(('PyTorch + Pillow, blind U-Net, 1 file (start-up)', lambda: (lambda t: (t, 1 / t))(
        timed(['python3', f'{reference}/torch_filter.py', blind, '--noise', '0.5', '--out', fresh()] + first,
              torch_env)[0])))
    group('filter, default model', cases[0][0], cases, images, rounds)
    torch_all, torch_one = (statistics.median(times[n]) for n in (cases[0][0], cases[-1][0]))
    if torch_all > torch_one:
        steady = (images - 1) / (torch_all - torch_one)
        say(f'{steady:9.1f} /s         PyTorch + Pillow without its start-up ({torch_one:.1f} s); ae-filter blind '
            f'folder -> folder ÷ that: {images / statistics.median(times[cases[1][0]]) / steady:.2f}x')

    cases = [('PyTorch + Pillow, tutorial, files -> folder', torch_filter(tutorial))]
    cases += [(f'ae-filter tutorial folder -> folder{tag}', filter_folder(exe, 'tutorial')) for tag, exe in binaries()]
    group('filter, tutorial model', cases[0][0], cases, images, rounds)

    def one(argv, env):
        return lambda: timed(argv, env)[0]

    cases = [('convert', one([convert, shirt, '-resize', '28x28', 'png:-'], {}))] if has_convert else []
    for tag, exe in [('', one_image_binary)] + ([(' [baseline]', a.baseline)] if a.baseline else []):
        cases += [(f'ae-filter --noise 0.5 shirt.png (blind){tag}', one([exe, '--noise', '0.5', shirt], ae_env)),
                  (f'ae-filter --model tutorial --noise 0.5 shirt.png{tag}',
                   one([exe, '--model', 'tutorial', '--noise', '0.5', shirt], ae_env))]
    if has_convert:
        group('one image', 'convert', cases, 1, one_image_rounds)
    else:
        say(f'-- one image: skipped ({convert} is not ImageMagick\'s convert)')

    def ae_train(exe, backend):
        def run():
            log = fresh()
            seconds, _ = timed([exe, 'train', '--data', data, '--architecture', 'unet', '--channels', '32', '--depth',
                                '2', '--batch-size', '64', '--noise-range', '0:0.7', '--schedule', 'cosine',
                                '--iterations', str(train_iterations), '--eval-every', '1000000', '--backend', backend,
                                '--force', '-q', '--log', log, '-o', f'{work}/m.safetensors'], ae_env)
            return seconds, [json.loads(x) for x in open(log)][-1]['images_per_s']
        return run

    def torch_train():
        seconds, result = timed(['python3', f'{reference}/train_unet.py', '--data', data, '--out',
                                 f'{work}/t.safetensors', '--steps', str(train_iterations)], torch_env,
                                stdout=subprocess.PIPE)
        return seconds, float(re.search(r'([\d.]+) images/s', result.stdout.decode()).group(1))

    cases = [('PyTorch train_unet.py', torch_train)]
    for tag, exe in binaries():
        cases += [(f'ae-filter train unet --backend blas{tag}', ae_train(exe, 'blas')),
                  (f'ae-filter train unet --backend cpu{tag}', ae_train(exe, 'cpu'))]
    group('U-Net training', cases[0][0], cases, 64 * train_iterations, rounds)

    if subprocess.run(['python3', '-c', 'import torchvision'], capture_output=True).returncode == 0:
        raw = f'{work}/root/FashionMNIST/raw'
        if not os.path.exists(raw):
            os.makedirs(raw)
            for f in os.listdir(data):
                if f.endswith('.gz'):
                    subprocess.run(f'gunzip -c {data}/{f} > {raw}/{f[:-3]}', shell=True, check=True)

        def tut_train(exe):
            return lambda: timed([exe, 'train', '--data', data, '--iterations', str(tutorial_iterations),
                                  '--eval-every', str(tutorial_iterations), '-q', '--force', '-o',
                                  f'{work}/tu.safetensors'], ae_env)[0]

        cases = [('PyTorch seed_train.py', lambda: timed(['python3', f'{reference}/seed_train.py', '--root',
                                                          f'{work}/root', '--iters', str(tutorial_iterations),
                                                          '--no-eval'], torch_env)[0])]
        cases += [(f'ae-filter train (tutorial){tag}', tut_train(exe)) for tag, exe in binaries()]
        group(f'tutorial training, {tutorial_iterations} iterations (per second: runs)', cases[0][0], cases, 1, rounds)
    else:
        say('-- tutorial training: skipped (torchvision is not importable; Benchmarks/train-speed.sh needs it too)')

say()
say('== summary: ratio to the anchor (one image: time ÷ convert\'s)')
for path, name, label, rate, ratio in summary:
    if not label.startswith(('PyTorch', 'convert')):
        say(f'{path:7s} {ratio:6.2f}x  {name}: {label}')
say(f'raw rows: {os.path.relpath(stem, root)}.csv')
subprocess.run(['rm', '-rf', work])
