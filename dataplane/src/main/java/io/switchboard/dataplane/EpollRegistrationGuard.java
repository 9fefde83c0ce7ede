package io.switchboard.dataplane;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Works around a Netty 4.2.18 epoll defect: when a channel's interest set becomes empty (a
 * half-closed socket that is not being read and has nothing pending to write, the normal state of a
 * relay whose peer has sent FIN while the other side drains), Netty removes the fd from epoll
 * (netty/netty#16689) but keeps treating it as registered, so the next write that has to wait for
 * EPOLLOUT fails with {@code epoll_ctl: ENOENT} and the connection is lost. This decorator
 * submits {@code EPOLLET} instead of an empty set once the fd has been added: the fd stays in epoll,
 * edge-triggered so EPOLLHUP is not reported over and over, which is what the deletion was meant to
 * prevent. Remove it once a Netty release re-adds deleted registrations.
 */
final class EpollRegistrationGuard implements IoHandlerFactory {

    private final IoHandlerFactory delegate = EpollIoHandler.newFactory();

    @Override
    public IoHandler newHandler(ThreadAwareExecutor executor) {
        IoHandler handler = delegate.newHandler(executor);
        return new IoHandler() {
            @Override
            public void initialize() {
                handler.initialize();
            }

            @Override
            public int run(IoHandlerContext context) {
                return handler.run(context);
            }

            @Override
            public void prepareToDestroy() {
                handler.prepareToDestroy();
            }

            @Override
            public void destroy() {
                handler.destroy();
            }

            @Override
            public IoRegistration register(IoHandle handle) throws Exception {
                return new GuardedRegistration(handler.register(handle));
            }

            @Override
            public void wakeup() {
                handler.wakeup();
            }

            @Override
            public boolean isCompatible(Class<? extends IoHandle> handleType) {
                return handler.isCompatible(handleType);
            }
        };
    }

    @Override
    public boolean isChangingThreadSupported() {
        return delegate.isChangingThreadSupported();
    }

    /** Replaces an empty interest set with EPOLLET once the fd is in epoll. Used on its event loop only. */
    private static final class GuardedRegistration implements IoRegistration {
        private final IoRegistration registration;
        private boolean added;

        GuardedRegistration(IoRegistration registration) {
            this.registration = registration;
        }

        @Override
        public <T> T attachment() {
            return registration.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            IoOps effective = ops;
            if (ops instanceof EpollIoOps epoll && epoll.value() == 0) {
                if (!added) {
                    return registration.submit(ops);
                }
                effective = EpollIoOps.EPOLLET;
            }
            long result = registration.submit(effective);
            if (result > 0) {
                added = true;
            }
            return result;
        }

        @Override
        public boolean isValid() {
            return registration.isValid();
        }

        @Override
        public boolean cancel() {
            return registration.cancel();
        }
    }
}
