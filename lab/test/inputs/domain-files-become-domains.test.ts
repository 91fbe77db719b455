import test from 'ava';
import { parseDomainFile } from '../../src/inputs/read-domain-file.js';
import { InputFileError } from '../../src/inputs/input-file-error.js';

const LIBVIRT = `<?xml version="1.0"?>
<domain type='kvm'>
  <name>web1</name>
  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>
  <memory unit='GiB'>1</memory>
  <currentMemory unit='KiB'>786432</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <cputune><shares>512</shares><period>100000</period><quota>50000</quota><vcpupin vcpu='0' cpuset='1'/></cputune>
  <memoryBacking><hugepages><page size='1' unit='G'/></hugepages></memoryBacking>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><source file='/images/web1.img'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><source file='/images/boot.iso'/><target dev='hdc'/><readonly/></disk>
    <interface type='bridge'><mac address='52:54:00:6b:3c:58'/><ip address='10.0.0.7' prefix='24'/><mtu size='9000'/><model type='virtio'/></interface>
    <graphics type='vnc' port='-1'/>
  </devices>
</domain>`;

test('a libvirt domain becomes a domain: units, vCPUs, shares, quota, disks, interfaces, huge pages', (t) => {
  const d = parseDomainFile('web1.xml', LIBVIRT);
  t.is(d.format, 'libvirt');
  t.is(d.name, 'web1');
  t.is(d.memoryMiB, 1024);
  t.is(d.currentMemoryMiB, 768);
  t.is(d.vcpus, 2);
  t.is(d.weight, 512);
  t.is(d.cap, 100, 'quota/period is per vCPU: 0.5 × 2 vCPUs = 100% of one pCPU');
  t.is(d.hugePageKiB, 1024 * 1024);
  t.deepEqual(d.disks, [
    { target: 'vda', source: '/images/web1.img', readOnly: false },
    { target: 'hdc', source: '/images/boot.iso', readOnly: true },
  ]);
  t.deepEqual(d.interfaces, [{ mac: '52:54:00:6b:3c:58', address: '10.0.0.7', mtu: 9000 }]);
  const paths = d.ignored.map((x) => x.path);
  for (const p of [
    '/domain/uuid[0]',
    '/domain/os[0]',
    '/domain/@type',
    '/domain/devices[0]/graphics[0]',
    '/domain/cputune[0]/vcpupin[0]',
    '/domain/devices[0]/disk[1]',
    '/domain/devices[0]/interface[0]/model[0]',
    '/domain/vcpu[0]/@placement',
    '/domain/memoryBacking[0]/hugepages[0]',
  ]) {
    t.true(paths.includes(p), `${p} is listed as ignored`);
  }
  for (const x of d.ignored) t.true(x.reason.length > 0);
});

test('libvirt memory units follow formatdomain: KiB by default, KB decimal, M binary', (t) => {
  const mem = (attrs: string, n: string): number | undefined => parseDomainFile('m.xml', `<domain><memory${attrs}>${n}</memory></domain>`).memoryMiB;
  t.is(mem('', '524288'), 512);
  t.is(mem(" unit='M'", '300'), 300);
  t.is(mem(" unit='MB'", '1'), 1e6 / 1024 ** 2);
  t.is(mem(" unit='b'", String(2 ** 30)), 1024);
});

const XL = `# a PV guest
name = "db1"
type = "pv"
memory = 512; maxmem = 0x400
vcpus = 2
cpu_weight = 1024
cap = 50
kernel = "/boot/vmlinuz"
disk = [ 'phy:/dev/vg/db1,xvda,w',
         'format=raw, vdev=xvdb, access=ro, target=/images/data,with,commas.img', ]
vif = [ "mac=00:16:3e:00:00:01,bridge=xenbr0,ip=10.0.0.9,mtu=1400" ]
`;

test('an xl.cfg becomes a domain: memory below maxmem is a balloon target, weight, cap, disks, vifs', (t) => {
  const d = parseDomainFile('db1.cfg', XL);
  t.is(d.format, 'xl');
  t.is(d.name, 'db1');
  t.is(d.memoryMiB, 1024);
  t.is(d.currentMemoryMiB, 512);
  t.is(d.vcpus, 2);
  t.is(d.weight, 1024);
  t.is(d.cap, 50);
  t.deepEqual(d.disks, [
    { target: 'xvda', source: '/dev/vg/db1', readOnly: false },
    { target: 'xvdb', source: '/images/data,with,commas.img', readOnly: true },
  ]);
  t.deepEqual(d.interfaces, [{ mac: '00:16:3e:00:00:01', address: '10.0.0.9', mtu: 1400 }]);
  const paths = d.ignored.map((x) => x.path);
  for (const p of ['type', 'kernel', 'vif[0].bridge', 'disk[1]', 'disk[1].format']) t.true(paths.includes(p), `${p} is listed as ignored`);
});

test('a malformed or ill-typed file is one error naming the file, the line and what was expected', (t) => {
  const cases: [string, string, RegExp][] = [
    ['bad.cfg', 'name = "x"\nmemory = "512"\n', /^bad\.cfg:2: expected a number for 'memory'/],
    ['bad.cfg', 'name = "x"\nvcpus = 0\n', /^bad\.cfg:2: expected 'vcpus' to be at least 1/],
    ['bad.cfg', 'memory = 512\nmaxmem = 256\n', /^bad\.cfg:2: expected maxmem \(256\) to be at least memory \(512\)/],
    ['bad.cfg', 'vif = [ "ip=10.0.0" ]\n', /^bad\.cfg:1: expected an IPv4 address/],
    ['bad.xml', '<domain>\n  <name>x</name>\n  <memory>1</memory\n</domain>', /^bad\.xml:3: expected well-formed XML/],
    ['bad.xml', "<domain>\n<memory unit='XB'>1</memory>\n</domain>", /^bad\.xml:2: expected a unit of .* got 'XB'/],
    ['bad.xml', '<domain>\n<vcpu>two</vcpu>\n</domain>', /^bad\.xml:2: expected a vCPU count/],
    ['bad.xml', '<network><name>x</name></network>', /^bad\.xml:1: expected a <domain> root element/],
  ];
  for (const [file, text, expected] of cases) {
    const e = t.throws(() => parseDomainFile(file, text), { instanceOf: InputFileError });
    t.regex(e.message, expected);
    t.false(e.message.includes('\n'), 'one line');
    t.is(e.code, 'INPUT_FILE');
  }
});
