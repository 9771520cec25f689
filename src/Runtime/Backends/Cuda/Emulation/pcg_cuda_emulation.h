// PolyComGen's emulated CUDA device: runs a generated CUDA translation unit, unchanged, on the CPU.
//
// The host C++ compiler compiles this header in front of the CUDA source into a shared library; every kernel
// entry point gets an exported launcher (PCG_EMU_EXPORT, appended by the runtime) that takes the grid, the
// block and cuLaunchKernel's argument array. Only code the source itself guards with __CUDA_ARCH__ (the
// inline PTX of the float16 conversions) takes its portable path.
//
// Faithful where kernel bugs hide:
// - blocks run one after another; the threads of a block are fibers (one stack each), so __syncthreads is a
//   real barrier and a thread can only see what other threads wrote before a synchronisation point;
// - __shared__ variables are per block, and filled with 0xff bytes (NaN for floats) before each block;
// - __shfl_xor_sync exchanges values between the lanes of a warp, as the hardware does; a lane outside the
//   launch (a partial warp) yields a poisoned value;
// - between synchronisation points threads run in an order chosen by the schedule: thread-index order, a
//   seeded random order, or one warp at a time. A race-free kernel gives bitwise identical results under
//   every schedule; a data race shows up as a difference.
// A thread that exits while others wait at a barrier, and a deadlock, are errors reported by the launcher.
//
// What it cannot show: speed, occupancy, the GPU's own rounding of transcendental functions and its fused
// multiply-adds (this compiles with -ffp-contract=off), the inline PTX it replaces, and out-of-bounds
// accesses (memory is not guarded).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>
#include <sys/mman.h>
#include <unistd.h>
#if !defined(__x86_64__)
#include <ucontext.h>
#endif

#define __device__
#define __global__
#define __forceinline__ inline
#define __launch_bounds__(...)
// Function-local statics: the linker script pcg_shared.ld gathers them between pcg_shared_begin and
// pcg_shared_end, which each block poisons before it starts.
#define __shared__ static

// Global-memory traffic (pcg_emu_traffic_begin / _end): the bytes every 16-byte load and store moves to and from each
// registered buffer. The kernels move a tensor's data in uint4 chunks (pcg_map), so counting uint4 copies whose source
// or target lies in a buffer counts their global traffic; copies between registers touch no buffer and count nothing.
namespace pcg_emu_traffic
{
struct Range
{
    const char* begin;
    const char* end;
    long long read;
    long long written;
};
inline Range ranges[16];
inline int count = 0;
inline void add(const void* p, bool write)
{
    const char* c = static_cast<const char*>(p);
    for (int i = 0; i < count; i++)
    {
        if (c >= ranges[i].begin && c < ranges[i].end)
        {
            (write ? ranges[i].written : ranges[i].read) += 16;
            return;
        }
    }
}
} // namespace pcg_emu_traffic

struct __attribute__((aligned(16))) uint4
{
    unsigned int x, y, z, w;
    uint4() = default;
    uint4(const uint4& o) : x(o.x), y(o.y), z(o.z), w(o.w) { pcg_emu_traffic::add(&o, false); }
    uint4& operator=(const uint4& o)
    {
        pcg_emu_traffic::add(&o, false);
        pcg_emu_traffic::add(this, true);
        x = o.x;
        y = o.y;
        z = o.z;
        w = o.w;
        return *this;
    }
};

// Registers up to 16 buffers (begin, bytes) and zeroes their counts; the next launches count their traffic.
extern "C" __attribute__((visibility("default"))) int pcg_emu_traffic_begin(const void* const* begins, const long long* bytes, int n)
{
    if (n < 0 || n > 16)
    {
        return 1;
    }
    for (int i = 0; i < n; i++)
    {
        pcg_emu_traffic::ranges[i] = {static_cast<const char*>(begins[i]), static_cast<const char*>(begins[i]) + bytes[i], 0, 0};
    }
    pcg_emu_traffic::count = n;
    return 0;
}

// The bytes read from and written to each registered buffer since pcg_emu_traffic_begin; stops counting.
extern "C" __attribute__((visibility("default"))) void pcg_emu_traffic_end(long long* read, long long* written)
{
    for (int i = 0; i < pcg_emu_traffic::count; i++)
    {
        read[i] = pcg_emu_traffic::ranges[i].read;
        written[i] = pcg_emu_traffic::ranges[i].written;
    }
    pcg_emu_traffic::count = 0;
}

namespace pcg_emu
{

struct dim3
{
    unsigned int x = 1, y = 1, z = 1;
};

enum Schedule
{
    ThreadOrder = 0,
    Random = 1,
    WarpByWarp = 2,
};

// Matches PolyComGen.Cuda.Emulation.EmulatedLaunchConfig.
struct Config
{
    unsigned int grid[3];
    unsigned int block[3];
    int schedule;
    unsigned long long seed;
};

struct Thread
{
    void* stack_pointer = nullptr;
#if !defined(__x86_64__)
    ucontext_t context;
#endif
    dim3 index;
    unsigned int warp = 0, lane = 0, parity = 0;
    bool done = false, runnable = true, at_barrier = false, at_shuffle = false;
};

struct Warp
{
    unsigned int size = 0, arrived[2] = {0, 0};
    unsigned long long slot[2][32];
};

struct Launch
{
    dim3 grid, block, block_index;
    int schedule = ThreadOrder;
    unsigned long long seed = 0;
    std::vector<Thread> threads;
    std::vector<Warp> warps;
    unsigned int waiting_at_barrier = 0, live = 0;
    Thread* current = nullptr;
    void* scheduler_stack_pointer = nullptr;
#if !defined(__x86_64__)
    ucontext_t scheduler;
#endif
    void (*body)(void*) = nullptr;
    void* body_state = nullptr;
    char* stacks = nullptr;
    size_t stack_size = 0, mapping_size = 0;
    bool failed = false;
    char error[512] = {0};
};

// One launch at a time per library: the launch in progress, and the lock that serialises launches.
static Launch* g = nullptr;
static std::mutex launch_mutex;

static constexpr size_t StackSize = 128 * 1024;

inline void set_error(const char* text)
{
    if (!g->failed)
    {
        g->failed = true;
        std::snprintf(g->error, sizeof g->error, "%s", text);
    }
}

#if defined(__x86_64__)
// Saves the callee-saved registers, MXCSR and the x87 control word on the current stack, stores the stack
// pointer in *save, then resumes the stack at load. A new fiber's stack is laid out as if it had been saved.
extern "C" void pcg_emu_switch(void** save, void* load);
asm(R"(
    .text
    .p2align 4
    .hidden pcg_emu_switch
    .globl pcg_emu_switch
    .type pcg_emu_switch,@function
pcg_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size pcg_emu_switch,.-pcg_emu_switch
)");
#endif

inline void to_scheduler()
{
    Thread* t = g->current;
#if defined(__x86_64__)
    pcg_emu_switch(&t->stack_pointer, g->scheduler_stack_pointer);
#else
    swapcontext(&t->context, &g->scheduler);
#endif
}

inline void fiber_main()
{
    g->body(g->body_state);
    Thread* t = g->current;
    t->done = true;
    t->runnable = false;
    g->live--;
    if (g->waiting_at_barrier > 0 && g->waiting_at_barrier == g->live)
    {
        set_error("a thread exited while other threads of its block wait at __syncthreads");
    }
    to_scheduler();
    std::abort(); // a finished fiber is never resumed
}

inline void resume(Thread& t)
{
    g->current = &t;
#if defined(__x86_64__)
    pcg_emu_switch(&g->scheduler_stack_pointer, t.stack_pointer);
#else
    swapcontext(&g->scheduler, &t.context);
#endif
}

inline void prepare(Thread& t, char* stack, size_t size)
{
#if defined(__x86_64__)
    // What pcg_emu_switch pops: MXCSR and the x87 control word, six callee-saved registers, then the return
    // address, fiber_main, placed so that fiber_main starts with the stack aligned as after a call.
    uintptr_t top = reinterpret_cast<uintptr_t>(stack + size) & ~uintptr_t(15);
    auto* frame = reinterpret_cast<uint64_t*>(top - 16);
    frame[0] = reinterpret_cast<uint64_t>(&fiber_main);
    frame[1] = 0;
    frame -= 7;
    for (int i = 0; i < 7; i++)
    {
        frame[i] = 0;
    }
    unsigned int mxcsr;
    unsigned short control;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(control));
    std::memcpy(reinterpret_cast<char*>(frame), &mxcsr, 4);
    std::memcpy(reinterpret_cast<char*>(frame) + 4, &control, 2);
    t.stack_pointer = frame;
#else
    getcontext(&t.context);
    t.context.uc_stack.ss_sp = stack;
    t.context.uc_stack.ss_size = size;
    t.context.uc_link = nullptr;
    makecontext(&t.context, &fiber_main, 0);
#endif
}

inline void syncthreads()
{
    Thread* t = g->current;
    t->at_barrier = true;
    t->runnable = false;
    if (++g->waiting_at_barrier == g->live)
    {
        if (g->live < g->threads.size())
        {
            set_error("a thread exited while other threads of its block wait at __syncthreads");
        }
        for (Thread& other : g->threads)
        {
            if (other.at_barrier)
            {
                other.at_barrier = false;
                other.runnable = true;
            }
        }
        g->waiting_at_barrier = 0;
    }
    to_scheduler();
}

// Every participating lane deposits its value, waits until all have, then reads its source lane's. Two slot
// sets alternate, so a lane that runs ahead to the next shuffle never overwrites a value still to be read.
template <typename T>
inline T shfl_xor_sync(unsigned int mask, T value, int lane_mask, int width = 32)
{
    static_assert(sizeof(T) <= 8, "a shuffle moves at most 8 bytes");
    Thread* t = g->current;
    Warp& w = g->warps[t->warp];
    unsigned int present = w.size == 32 ? 0xffffffffu : ((1u << w.size) - 1u);
    unsigned int participants = mask & present;
    if (!(participants >> t->lane & 1u))
    {
        set_error("a lane called __shfl_xor_sync with a mask that leaves it out");
    }
    unsigned int p = t->parity;
    unsigned long long bits = 0;
    std::memcpy(&bits, &value, sizeof(T));
    w.slot[p][t->lane] = bits;
    t->at_shuffle = true;
    t->runnable = false;
    if (++w.arrived[p] == static_cast<unsigned int>(__builtin_popcount(participants)))
    {
        for (unsigned int lane = 0; lane < w.size; lane++)
        {
            Thread& other = g->threads[t->warp * 32 + lane];
            if (other.at_shuffle && (participants >> lane & 1u))
            {
                other.at_shuffle = false;
                other.runnable = true;
            }
        }
        w.arrived[p] = 0;
    }
    to_scheduler();
    t->parity ^= 1u;
    int segment = static_cast<int>(t->lane) & ~(width - 1);
    int source = static_cast<int>(t->lane) ^ lane_mask;
    if (source < segment || source >= segment + width)
    {
        return value;
    }
    T result;
    if (!(participants >> source & 1u))
    {
        std::memset(&result, 0xff, sizeof(T)); // an inactive lane's value is undefined on the hardware
        return result;
    }
    std::memcpy(&result, &w.slot[p][source], sizeof(T));
    return result;
}

inline unsigned long long next_random(unsigned long long& state)
{
    unsigned long long z = (state += 0x9e3779b97f4a7c15ull); // splitmix64
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

extern "C" char pcg_shared_begin[] __attribute__((weak, visibility("hidden")));
extern "C" char pcg_shared_end[] __attribute__((weak, visibility("hidden")));

inline bool run_block()
{
    Launch& L = *g;
    if (pcg_shared_begin != nullptr)
    {
        std::memset(pcg_shared_begin, 0xff, static_cast<size_t>(pcg_shared_end - pcg_shared_begin));
    }
    const unsigned int n = L.block.x * L.block.y * L.block.z;
    for (unsigned int i = 0; i < n; i++)
    {
        Thread& t = L.threads[i];
        t.index = dim3{i % L.block.x, i / L.block.x % L.block.y, i / (L.block.x * L.block.y)};
        t.warp = i / 32;
        t.lane = i % 32;
        t.parity = 0;
        t.done = false;
        t.runnable = true;
        t.at_barrier = t.at_shuffle = false;
        prepare(t, L.stacks + static_cast<size_t>(i) * L.stack_size, L.stack_size);
    }
    for (unsigned int w = 0; w < L.warps.size(); w++)
    {
        L.warps[w].size = std::min(32u, n - w * 32);
        L.warps[w].arrived[0] = L.warps[w].arrived[1] = 0;
    }
    L.waiting_at_barrier = 0;
    L.live = n;
    std::vector<unsigned int> order(n);
    unsigned long long random = L.seed ^ (0x2545f4914f6cdd1dull * (1 + L.block_index.x + 65536ull * (L.block_index.y + 65536ull * L.block_index.z)));
    while (L.live > 0 && !L.failed)
    {
        bool progressed = false;
        if (L.schedule == WarpByWarp)
        {
            // The lowest-numbered runnable thread: warp 0 runs until all its threads wait at a barrier, then warp 1...
            for (unsigned int i = 0; i < n; i++)
            {
                if (L.threads[i].runnable)
                {
                    resume(L.threads[i]);
                    progressed = true;
                    break;
                }
            }
        }
        else
        {
            // Sweeps: every runnable thread once, to its next synchronisation point.
            for (unsigned int i = 0; i < n; i++)
            {
                order[i] = i;
            }
            if (L.schedule == Random)
            {
                for (unsigned int i = n - 1; i > 0; i--)
                {
                    std::swap(order[i], order[next_random(random) % (i + 1)]);
                }
            }
            for (unsigned int i : order)
            {
                if (L.threads[i].runnable && !L.failed)
                {
                    resume(L.threads[i]);
                    progressed = true;
                }
            }
        }
        if (!progressed && L.live > 0)
        {
            set_error("deadlock: every live thread waits, at __syncthreads or at a shuffle, for threads that never arrive");
        }
    }
    return !L.failed;
}

template <typename... A, size_t... I>
inline void call(void (*kernel)(A...), void** args, std::index_sequence<I...>)
{
    kernel(*static_cast<std::remove_reference_t<A>*>(args[I])...);
}

template <typename... A>
inline int launch(void (*kernel)(A...), const Config* config, void** args, char* error, int error_size)
{
    std::lock_guard<std::mutex> lock(launch_mutex);
    Launch L;
    L.grid = dim3{config->grid[0], config->grid[1], config->grid[2]};
    L.block = dim3{config->block[0], config->block[1], config->block[2]};
    L.schedule = config->schedule;
    L.seed = config->seed;
    const unsigned long long n = static_cast<unsigned long long>(L.block.x) * L.block.y * L.block.z;
    if (n == 0 || n > 1024 || L.grid.x == 0 || L.grid.y == 0 || L.grid.z == 0)
    {
        std::snprintf(error, static_cast<size_t>(error_size), "invalid launch: grid (%u, %u, %u), block (%u, %u, %u)",
            L.grid.x, L.grid.y, L.grid.z, L.block.x, L.block.y, L.block.z);
        return 1;
    }
    L.threads.resize(n);
    L.warps.resize((n + 31) / 32);
    // Each stack has an inaccessible page below it, so an overflow faults instead of corrupting a neighbour.
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    L.stack_size = StackSize + page;
    L.mapping_size = L.stack_size * n;
    void* mapping = mmap(nullptr, L.mapping_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED)
    {
        std::snprintf(error, static_cast<size_t>(error_size), "could not map %zu bytes of fiber stacks", L.mapping_size);
        return 1;
    }
    L.stacks = static_cast<char*>(mapping);
    for (unsigned long long i = 0; i < n; i++)
    {
        mprotect(L.stacks + i * L.stack_size, page, PROT_NONE);
    }
    struct State
    {
        void (*kernel)(A...);
        void** args;
    } state{kernel, args};
    L.body = [](void* s) {
        auto* st = static_cast<State*>(s);
        call(st->kernel, st->args, std::index_sequence_for<A...>{});
    };
    L.body_state = &state;
    g = &L;
    bool ok = true;
    for (unsigned int z = 0; z < L.grid.z && ok; z++)
    {
        for (unsigned int y = 0; y < L.grid.y && ok; y++)
        {
            for (unsigned int x = 0; x < L.grid.x && ok; x++)
            {
                L.block_index = dim3{x, y, z};
                ok = run_block();
            }
        }
    }
    munmap(mapping, L.mapping_size);
    g = nullptr;
    if (!ok)
    {
        std::snprintf(error, static_cast<size_t>(error_size), "%s (block %u, %u, %u)", L.error, L.block_index.x, L.block_index.y, L.block_index.z);
        return 1;
    }
    return 0;
}

} // namespace pcg_emu

#define threadIdx (::pcg_emu::g->current->index)
#define blockIdx (::pcg_emu::g->block_index)
#define blockDim (::pcg_emu::g->block)
#define gridDim (::pcg_emu::g->grid)
#define __syncthreads() ::pcg_emu::syncthreads()
#define __shfl_xor_sync(...) ::pcg_emu::shfl_xor_sync(__VA_ARGS__)
// Blocks run one after another, so every block sees what earlier blocks wrote: a fence has nothing to order, and an
// atomic addition is an addition.
#define __threadfence() ((void)0)
inline unsigned int atomicAdd(unsigned int* address, unsigned int value)
{
    unsigned int old = *address;
    *address = old + value;
    return old;
}

inline float rsqrtf(float v) { return 1.0f / std::sqrt(v); }
inline float __uint_as_float(unsigned int v)
{
    float f;
    std::memcpy(&f, &v, 4);
    return f;
}
inline unsigned int __float_as_uint(float v)
{
    unsigned int u;
    std::memcpy(&u, &v, 4);
    return u;
}

// The launcher of one kernel, as the runtime finds it: pcg_emu_launch_<kernel>.
#define PCG_EMU_EXPORT(kernel) \
    extern "C" __attribute__((visibility("default"))) int pcg_emu_launch_##kernel(const ::pcg_emu::Config* config, void** args, char* error, int error_size) \
    { \
        return ::pcg_emu::launch(kernel, config, args, error, error_size); \
    }
